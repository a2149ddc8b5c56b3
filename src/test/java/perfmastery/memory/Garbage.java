package perfmastery.memory;

/** Makes the test JVM's collector do measurable work. */
public final class Garbage {

    private Garbage() {
    }

    /**
     * Keeps about 600,000 small objects alive (a linked list, so marking must visit each one) while
     * calling {@code System.gc()}: a full collection that marks them takes milliseconds, so the
     * collectors' millisecond counters move.
     */
    public static long collectWithALiveSet() {
        Node head = null;
        for (int i = 0; i < 600_000; i++) {
            head = new Node(i, head);
        }
        System.gc();
        long sum = 0;
        for (Node node = head; node != null; node = node.next) {
            sum += node.value;
        }
        return sum;
    }

    private record Node(long value, Node next) {
    }
}
