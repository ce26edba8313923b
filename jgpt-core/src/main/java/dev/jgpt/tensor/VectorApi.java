package dev.jgpt.tensor;

import dev.jgpt.JgptException;

/**
 * Whether the kernels can run: they use the Vector API, an incubator module the JVM resolves only
 * when asked ({@code --add-modules jdk.incubator.vector}, or a module that requires it).
 */
public final class VectorApi {
    /** The one sentence a person sees when the module is missing. */
    public static final String MISSING = "this JVM runs without the Vector API that jgpt's kernels use: "
            + "start java with --add-modules jdk.incubator.vector";

    private VectorApi() {
    }

    /** Whether the Vector API's classes are visible to the kernels. */
    public static boolean available() {
        try {
            Class.forName("jdk.incubator.vector.FloatVector", false, VectorApi.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Does nothing when the Vector API is there.
     *
     * @throws JgptException saying how to start the JVM when it is not
     */
    public static void check() {
        if (!available()) {
            throw new JgptException(MISSING);
        }
    }
}
