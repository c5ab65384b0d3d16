/// The text of `--help` and `--version`.
enum HelpText {
    static let version = "sitesum 0.1.0"

    static let main = """
        USAGE: sitesum [options] FILE
               sitesum --clear-cache [--cache-dir DIR]
               sitesum generate --lines N [options] > FILE

        Summarises a JSON-lines chat-event log per site: chats (messages while an
        operator was online), emails (messages while none was), distinct operators
        and distinct visitors. Saves checkpoints as it goes, so an interrupted run
        resumes where it stopped, with the same answer. FILE - reads standard
        input, without checkpoints (a file named - is ./-).

        OPTIONS:
          -s, --save-interval N     a kill loses at most N events read: a checkpoint
                                    every N/2, one committed while the next half is
                                    read (default \(RunOptions.defaultSaveInterval))
              --cache-dir DIR       where checkpoints live (default \(RunOptions.defaultCacheDirectory));
                                    each input has its own entry inside
          -c, --clear-cache         drop this input's checkpoints, then start over;
                                    without FILE, remove the whole cache directory
              --no-checkpoint       neither read nor write checkpoints
              --strict              stop at the first malformed line (exit 65)
              --max-line-length N   longer lines are malformed (default 1M; K, M, G suffixes)
              --block-size N        how far ahead the input is read (default 1M; K, M, G suffixes)
              --max-segments N      merge checkpoint files in the background once an input
                                    has N of them (default \(RunOptions.defaultMaxSegments), at least 2)
          -q, --quiet               no progress or statistics on stderr
              --stats               print the statistics line even when stderr is not a terminal (or with -q)
              --list-crashpoints    list the points where the test-only SITESUM_CRASHPOINT and
                                    SITESUM_FAULT variables make a run die or fail (stress testing)
          -h, --help                show this help (sitesum generate --help for the generator)
              --version             show the version

        OUTPUT: one line per site on stdout, sorted by site id bytewise:
          1,messages=4,emails=4,operators=2,visitors=5
        Malformed lines are skipped; the first 10 are reported on stderr.

        EXIT STATUS:
          0 done   64 bad usage   65 malformed line under --strict
          66 input cannot be opened   71 out of memory
          73 cache directory cannot be created or written   74 read error
          129 stopped by SIGHUP   130 stopped by SIGINT   143 stopped by SIGTERM
          (after each of these a checkpoint is saved: run the same command to resume)

        EXAMPLES:
          sitesum events.jsonl
          zcat events.jsonl.gz | sitesum -
          sitesum --save-interval 100000 --cache-dir /var/tmp/sitesum events.jsonl
          sitesum --clear-cache events.jsonl
          sitesum generate --lines 20000 --seed 7 > sample.jsonl

        """

    static let generate = """
        USAGE: sitesum generate --lines N [options] > FILE

        Writes a synthetic chat-event log: realistic, in shuffled time order, with
        duplicates and malformed lines at the requested rates. The same options
        and seed always give the same bytes.

        OPTIONS:
              --lines N          lines to write (required)
              --seed S           random seed (default 1)
              --sites N          number of sites (default 10)
              --operators N      operators per site (default 5)
              --visitors N       visitors per site (default 1000)
              --span SECONDS     timestamps fall in [0, SECONDS) (default 86400)
              --duplicates RATE  fraction of lines repeating an earlier id (default 0.01)
              --malformed RATE   fraction of malformed lines (default 0.001)
          -o, --output FILE      write to FILE instead of stdout

        EXAMPLE:
          sitesum generate --lines 1000000 --seed 42 --duplicates 0.01 > big.jsonl

        """
}
