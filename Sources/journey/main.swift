import JourneyCLI

JourneyCommand.main()
