from custfocus.cli import main

main()
