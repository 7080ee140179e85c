import JourneyCLI

#if !os(Linux)
    #error("journey is Linux only: it relies on /proc, prctl, namespaces and Debian's system libraries")
#endif

JourneyCommand.main()
