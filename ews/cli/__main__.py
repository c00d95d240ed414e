"""`python -m ews.cli ...`: the `ews` command without the installed console script."""

from ews.cli import main

main()
