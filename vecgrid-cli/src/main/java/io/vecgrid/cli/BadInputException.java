package io.vecgrid.cli;

/** The command line or an input file is wrong; the message names the option, field or line. Exit code 1. */
final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadInputException(String msg) {
        super(msg);
    }
}
