"""`python -m gateway`: the administration command line."""

from gateway.cli import main

main()
