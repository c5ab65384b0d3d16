#if canImport(Glibc)
import Glibc
#endif
import SitesumStress

exit(StressHarness.main(Array(CommandLine.arguments.dropFirst())))
