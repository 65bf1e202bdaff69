"""Building suites from benchmark sources: EvalScope schemas, leaf sources, and the sampler behind `evalindex sample`."""
