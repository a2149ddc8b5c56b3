package perfmastery.runner;

/**
 * A mistake in what the user asked for: the runner prints the message as one line and exits with
 * {@link ExitCode#BAD_INPUT}, before any benchmark starts. Never shown as a stack trace.
 */
public final class UsageError extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageError(String message) {
        super(message);
    }
}
