from careledger.launch import main

main()
