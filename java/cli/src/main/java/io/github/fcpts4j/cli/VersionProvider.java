package io.github.fcpts4j.cli;

import picocli.CommandLine;

/** Version from the jar manifest (Implementation-Version), "development" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = FcptsCli.class.getPackage().getImplementationVersion();
        return new String[] {"fcpts4j " + (v == null ? "development build" : v)};
    }
}
