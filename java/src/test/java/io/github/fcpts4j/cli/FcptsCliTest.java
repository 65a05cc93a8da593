package io.github.fcpts4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class FcptsCliTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = FcptsCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void pruneSaysItIsNotImplementedAndFails() {
        Result r = run("prune");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("not implemented yet"), r.err);
    }

    @Test
    void backendsJsonListsCpuAsAvailable() {
        Result r = run("backends", "--json");
        assertEquals(0, r.code, r.err);
        JsonObject json = JsonParser.parseString(r.out).getAsJsonObject();
        JsonObject cpu = json.getAsJsonArray("backends").get(0).getAsJsonObject();
        assertEquals("cpu", cpu.get("name").getAsString());
        assertTrue(cpu.get("available").getAsBoolean());
        assertTrue(cpu.get("library").getAsString().contains("oneDNN 3.11"), cpu.toString());
    }

    @Test
    void noCommandIsAUsageError() {
        Result r = run();
        assertEquals(2, r.code);
        assertTrue(r.err.contains("a command is required"), r.err);
    }
}
