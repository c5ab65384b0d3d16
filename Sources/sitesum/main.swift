import SitesumCLI
#if canImport(Glibc)
import Glibc
#endif

exit(SitesumMain.main(Array(CommandLine.arguments.dropFirst())))
