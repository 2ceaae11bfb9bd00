"""hotpursuit: trace, interdict, screen and share stolen crypto across chains."""

__version__ = "0.1.0"
