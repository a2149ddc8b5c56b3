package perfmastery.process;

import perfmastery.cpu.WorkerStartupBenchmark;

/**
 * The trivial task a child JVM runs in {@link WorkerStartupBenchmark}: reads one number and exits with
 * {@link WorkerStartupBenchmark#trivialTask(int)} of it as its status, so the parent gets a result back.
 */
public final class TrivialChildMain {

    private TrivialChildMain() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: TrivialChildMain <int>");
            System.exit(2);
        }
        System.exit(WorkerStartupBenchmark.trivialTask(Integer.parseInt(args[0])));
    }
}
