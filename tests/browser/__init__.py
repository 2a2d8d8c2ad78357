"""Helpers of the browser, HTTP-client and codegen tests (and their npm packages)."""
