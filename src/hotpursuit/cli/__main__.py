"""`python -m hotpursuit.cli`: the same CLI as the `hotpursuit` command."""

from hotpursuit.cli import main

main()
