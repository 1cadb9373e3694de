"""The HTTP edge shared by every Blueprint: request parsing, the error model, the OpenAPI
registry, logging context and page rendering. Handlers stay thin by leaning on this."""
