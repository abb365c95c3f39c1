"""python -m flopcast: the same as the flopcast command."""

from flopcast.cli import main

main()
