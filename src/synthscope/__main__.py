"""``python -m synthscope`` runs the command line."""

from synthscope.cli import main

main()
