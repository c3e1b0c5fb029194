package io.tokenbroker.store;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script shipped as a resource, loaded once and run by its SHA-1 ({@code EVALSHA}); when Redis
 * does not know it (a restart, a new node) it is sent whole once ({@code EVAL}), which caches it again.
 */
final class LuaScript {

    private final String source;
    private final String sha1;

    private LuaScript(String source) {
        this.source = source;
        this.sha1 = sha1(source);
    }

    /** Loads {@code lua/NAME.lua} from the class path. */
    static LuaScript load(String name) {
        String path = "lua/" + name + ".lua";
        try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Lua script missing from the class path: " + path);
            }
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script; every key must share one hash slot. */
    Response run(RedisDataSource redis, List<String> keys, List<String> args) {
        try {
            return redis.execute(Command.EVALSHA, arguments(sha1, keys, args));
        } catch (RuntimeException e) {
            if (!RedisReplies.isNoScript(e)) {
                throw e;
            }
            return redis.execute(Command.EVAL, arguments(source, keys, args));
        }
    }

    /** {@link #run}, without blocking: for reads sent many at a time. */
    Uni<Response> runAsync(ReactiveRedisDataSource redis, List<String> keys, List<String> args) {
        return redis.execute(Command.EVALSHA, arguments(sha1, keys, args))
                .onFailure(RedisReplies::isNoScript)
                .recoverWithUni(() -> redis.execute(Command.EVAL, arguments(source, keys, args)));
    }

    private static String[] arguments(String script, List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.size());
        all.add(script);
        all.add(Integer.toString(keys.size()));
        all.addAll(keys);
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
