"""python -m digest"""

from .cli import main

main()
