package perfmastery.runner;

/** The exit codes of run-benchmarks.sh; the README's "Exit codes" section lists the same. */
public final class ExitCode {

    /** Every expected benchmark has a result in every JSON file. */
    public static final int OK = 0;
    /** A benchmark failed or has no result (the others are kept), or a JMH process died. */
    public static final int BENCHMARKS_FAILED = 1;
    /** Bad input (unknown option, preset, profile, JDK, regex), found before any benchmark starts. */
    public static final int BAD_INPUT = 2;
    /** The results could not be written (disk full, permissions) or another JMH run holds its lock. */
    public static final int CANNOT_WRITE = 3;
    /**
     * The regression gate found a row slower, or allocating more, than the base by more than the margin
     * ({@code --compare-with}, or {@code report --fail-on regressions}); see docs/gate.md. Rows the gate leaves
     * undecided are a warning with exit 0.
     */
    public static final int REGRESSION = 4;

    private ExitCode() {
    }
}
