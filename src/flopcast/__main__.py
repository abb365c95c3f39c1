"""python -m flopcast: the same as the flopcast command."""

from flopcast.cli import main

if __name__ == "__main__":  # NB: not when a spawned process imports it (serve --workers)
    main()
