package perfmastery.production;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import perfmastery.support.Claim;
import perfmastery.support.Claim.Kind;
import perfmastery.support.Claim.Relation;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Guide part 6, production checklist item 1, "Use NODE_ENV=production": the frameworks' internal caches.
 *
 * <h2>The guide's claim</h2>
 * Production mode turns on the frameworks' caches: a view template is compiled once and kept, not compiled
 * again for every request. The principle is compile once, use many times: whatever a request does that
 * depends only on the code (a template, a route's pattern, a serializer) is set-up, and set-up done per
 * request costs more than the request's own work. The JVM has no mode that does it for you; the code holds
 * the compiled thing in a field.
 *
 * <h2>What this lesson measures on the JVM</h2>
 * Two set-ups a request needs, each done per request (the guide's wrong way, first) and once:
 * <ul>
 * <li>{@code compilePatternPerRequest}: {@code Pattern.compile} of a route's pattern
 * ({@code ^/orders/(\d+)/items/(\d+)$}) for every request, then the match of the request's path and its
 * two numbers read from the groups;</li>
 * <li>{@code compiledPatternInField}: the same match with the {@code Pattern} compiled at setup and held in a
 * field;</li>
 * <li>{@code objectMapperPerRequest}: a Jackson {@code ObjectMapper} made per request to parse the order
 * body of {@link OrderRequestHandler} and total it: the new mapper finds and builds the deserializers of
 * {@code Order} and {@code Item} (reflection over their record components and constructors), since its
 * cache of them is new too;</li>
 * <li>{@code reusedObjectReader}: the same parse with an {@code ObjectReader} made once, whose
 * deserializers were built by its first request.</li>
 * </ul>
 * Each variant returns what the request computed (the path's two numbers as one long, the order's total),
 * so nothing is dead code. Time per request (ns/op) and bytes per request ({@code -prof gc}); the heap is
 * pinned and pre-touched (128 MiB), as a mapper per request allocates.
 *
 * <h2>What you should see</h2>
 * Per request set-up well above the request's own work in both pairs: compiling a pattern costs more than
 * matching a short path with it (claim: caching at least halves the request), and a new mapper costs
 * far more than parsing a hundred-byte body (claim: the reused reader at least 10x faster), with bytes per
 * request to match. Figures come from the reference run, made on a quiet machine.
 *
 * <h2>How to run it</h2>
 * {@code ./run-benchmarks.sh -- CompileOnceBenchmark} (the runner adds {@code -prof gc}); one pair with
 * {@code ./run-benchmarks.sh -- 'CompileOnceBenchmark.(compile|objectMapper|reused)'}. Four rows: about 47 s
 * per JDK at quick (per row 3 forks of 1.5 s start, 0.4 s pre-touching the heap, 0.8 s warm-up, 1.2 s
 * measured).
 *
 * <h2>What it does not measure</h2>
 * Not a template engine (a template's parse is the same principle at a larger scale), not
 * {@code String.matches} or {@code String.split} with a regex (which compile a pattern per call, except
 * {@code split}'s one-character fast path), and not the contention of a shared cache: {@code Pattern} and
 * {@code ObjectReader} are immutable and safe to share between threads, so no lock is involved.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"})
@Claim(id = "compiled-pattern-2x-compile-per-request",
        text = "matching a request's path with a Pattern held in a field costs at most half of compiling the Pattern per request",
        variant = "compiledPatternInField", baseline = "compilePatternPerRequest", relation = Relation.LOWER,
        factor = 2, kind = Kind.GUIDE,
        basis = "parse/setup dominates: compiling reads every element of the pattern and allocates a node for each"
                + " (and the group arrays), at least the work of one match, which visits those nodes once for a"
                + " short path that matches without backtracking; a request that compiles per request does the"
                + " set-up and the match, at least twice the match alone: 2x")
@Claim(id = "reused-reader-10x-mapper-per-request",
        text = "parsing a request body with a reused ObjectReader costs at most a tenth of making an ObjectMapper per request",
        variant = "reusedObjectReader", baseline = "objectMapperPerRequest", relation = Relation.LOWER,
        factor = 10, kind = Kind.GUIDE,
        basis = "parse/setup dominates: a new mapper builds its factories and caches, then a deserializer per type by"
                + " reflection (the record's components, its constructor and their annotations, a property object"
                + " for each), for every one of the body's properties a reflective look-up and several objects,"
                + " where parsing the property's value is a few comparisons over a few bytes: an order of magnitude"
                + " per property, so at least 10x")
public class CompileOnceBenchmark {

    String routeRegex;
    String path;
    byte[] orderBody;
    private Pattern route;
    private ObjectReader orderReader;

    @Setup(Level.Trial)
    public void setUp() {
        routeRegex = "^/orders/(\\d+)/items/(\\d+)$";
        path = "/orders/4711/items/3";
        orderBody = OrderRequestHandler.request(0);
        route = Pattern.compile(routeRegex);
        orderReader = JsonMapper.builder().build().readerFor(OrderRequestHandler.Order.class);
    }

    @Benchmark
    public long compilePatternPerRequest() {
        return route(Pattern.compile(routeRegex), path);
    }

    @Benchmark
    public long compiledPatternInField() {
        return route(route, path);
    }

    @Benchmark
    public long objectMapperPerRequest() {
        ObjectMapper mapper = new ObjectMapper();
        return total(mapper.readValue(orderBody, OrderRequestHandler.Order.class));
    }

    @Benchmark
    public long reusedObjectReader() {
        return total(orderReader.readValue(orderBody));
    }

    /** The path's order and item numbers as {@code order * 1000 + item}, or -1 when the route does not match. */
    static long route(Pattern route, String path) {
        Matcher matcher = route.matcher(path);
        if (!matcher.matches()) {
            return -1;
        }
        return Long.parseLong(matcher.group(1)) * 1000 + Long.parseLong(matcher.group(2));
    }

    static long total(OrderRequestHandler.Order order) {
        return OrderRequestHandler.receipt(order).totalCents();
    }
}
