import SitesumCLI
#if canImport(Glibc)
import Glibc
#endif

exit(SitesumMain.main(ProgramArguments.withoutName))
