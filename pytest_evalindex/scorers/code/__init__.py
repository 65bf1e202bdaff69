"""Code-execution scoring: extracting programs from answers and assembling them per benchmark."""
