"""Talking to model endpoints: the call contract, the OpenAI client, retries, the per-process engine, the answer store and the mock server."""
