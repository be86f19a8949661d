package io.vecgrid.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;

/**
 * The user's terminal, where the CLI asks for a confirmation ({@code drop} without {@code --yes}). There is one only
 * when the CLI runs interactively: standard input and output are a terminal. A script's CLI has none, and a command
 * that would ask refuses instead of waiting for an answer that never comes.
 */
interface Terminal {
    /**
     * Shows {@code prompt} and reads the line typed.
     *
     * @return the line, or {@code null} at the end of the input.
     */
    String ask(String prompt);

    /** @return the process's terminal, or {@code null} when standard input or output is not one. */
    static Terminal system() {
        if (!interactive())
            return null;
        Console c = System.console();
        return prompt -> c.readLine("%s", prompt);
    }

    /**
     * @param in lines typed.
     * @param prompts where prompts show.
     * @return a terminal over {@code in}: for an application that embeds the CLI and answers for the user.
     */
    static Terminal of(BufferedReader in, PrintWriter prompts) {
        return prompt -> {
            prompts.print(prompt);
            prompts.flush();
            try {
                return in.readLine();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /**
     * @return whether standard input and output are a terminal. Before Java 22 that is whether there is a
     *     {@link System#console()}; from Java 22 on, there is a console even when they are redirected, and
     *     {@code Console.isTerminal()} (called reflectively: the CLI builds for Java 17) tells.
     */
    static boolean interactive() {
        Console c = System.console();
        if (c == null)
            return false;
        Method isTerminal;
        try {
            isTerminal = Console.class.getMethod("isTerminal");
        }
        catch (NoSuchMethodException e) {
            return true;
        }
        try {
            return (Boolean)isTerminal.invoke(c);
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
