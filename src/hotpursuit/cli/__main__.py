"""`python -m hotpursuit.cli`: the same CLI as the `hotpursuit` command."""

from hotpursuit.cli.commands import main

main()
