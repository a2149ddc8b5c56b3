package perfmastery.heap;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Collections;

import org.openjdk.jol.vm.VM;
import org.openjdk.jol.vm.VirtualMachine;

import sun.misc.Unsafe;

/**
 * Bytes reachable from an object graph: what JOL's {@code GraphLayout.parseInstance(root).totalSize()}
 * answers, computed with JOL's object sizes ({@code VM.current().sizeOf}) but a lighter walk.
 *
 * <p>Why not {@code GraphLayout} itself: it allocates about 5 KB per object visited (1.5 GB and 1.6 to 5
 * seconds for a 100,000-entry map on this machine), and a benchmark measures at each iteration's end,
 * inside the window where {@code -prof gc} counts allocation: the walk would add hundreds of B/op to the
 * lesson's own figures and seconds to every iteration. This walk allocates an identity set and a queue.
 * The tests check that both give the same total.
 *
 * <p>Fields are read with {@code Unsafe} where it may (any class, even in java.base, without
 * {@code --add-opens}) and by reflection for the two kinds of class {@code Unsafe.objectFieldOffset}
 * refuses, hidden classes (lambdas) and records, which here are this project's own. Like JOL, it follows
 * every reference field, including {@code Reference.referent}: a weak or soft value counts while it is
 * still there. Static fields are not part of an object and are not followed, nor are the fields of a
 * JDK-internal record or hidden class that reflection may not open (a few bytes of JDK bookkeeping).
 */
public final class RetainedSize {

    static {
        // JOL's own GraphLayout (used by the footprint tool) needs this for lambdas, which are hidden classes.
        if (System.getProperty("jol.magicFieldOffset") == null) {
            System.setProperty("jol.magicFieldOffset", "true");
        }
    }

    private static final Unsafe UNSAFE = unsafe();
    /** Per class: the instance size (every instance of a non-array class has the same) and its reference fields. */
    private static final ClassValue<ObjectShape> SHAPES = new ClassValue<>() {
        @Override
        protected ObjectShape computeValue(Class<?> type) {
            return new ObjectShape(new long[] {-1}, readersOf(type));
        }
    };

    /** {@code size[0]} is learnt from the first instance measured (-1 until then): all have the same size. */
    private record ObjectShape(long[] size, Reader[] readers) {
    }

    private RetainedSize() {
    }

    /** Makes sure the JOL configuration above is in place before any other JOL call of the caller. */
    static void configureJol() {
        // Running the static initializer is the point.
    }

    /** Total bytes of every object reachable from {@code root}, root included. */
    public static long of(Object root) {
        if (root == null) {
            return 0;
        }
        VirtualMachine vm = VM.current();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> pending = new ArrayDeque<>();
        seen.add(root);
        pending.add(root);
        long total = 0;
        while (!pending.isEmpty()) {
            Object object = pending.poll();
            Class<?> type = object.getClass();
            if (type.isArray()) {
                total += vm.sizeOf(object);
                if (!type.getComponentType().isPrimitive()) {
                    Object[] elements = (Object[]) object;
                    for (Object element : elements) {
                        if (element != null && seen.add(element)) {
                            pending.add(element);
                        }
                    }
                }
                continue;
            }
            ObjectShape shape = SHAPES.get(type);
            if (shape.size()[0] < 0) {
                shape.size()[0] = vm.sizeOf(object);
            }
            total += shape.size()[0];
            for (Reader reader : shape.readers()) {
                Object value = reader.read(object);
                if (value != null && seen.add(value)) {
                    pending.add(value);
                }
            }
        }
        return total;
    }

    /** Reads one reference field of an object. */
    private interface Reader {
        Object read(Object object);
    }

    private static Reader[] readersOf(Class<?> type) {
        List<Reader> readers = new ArrayList<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                    continue;
                }
                Reader reader = readerOf(c, field);
                if (reader != null) {
                    readers.add(reader);
                }
            }
        }
        return readers.toArray(new Reader[0]);
    }

    private static Reader readerOf(Class<?> owner, Field field) {
        if (owner.isHidden() || owner.isRecord()) {
            if (!field.trySetAccessible()) {
                // A JDK-internal record or hidden class (JDK 25's ClassValue$Version, reached from a
                // WeakHashMap's internals): neither Unsafe nor reflection may read it without --add-opens.
                return null;
            }
            return object -> {
                try {
                    return field.get(object);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read " + field, e);
                }
            };
        }
        @SuppressWarnings("deprecation") // the supported alternatives need --add-opens for java.base
        long offset = UNSAFE.objectFieldOffset(field);
        return object -> UNSAFE.getObject(object, offset);
    }

    private static Unsafe unsafe() {
        try {
            Field field = Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

}
