from careledger.cli import main

main()
