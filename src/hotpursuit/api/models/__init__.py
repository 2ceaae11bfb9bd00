"""The API's request and response bodies, one module per resource; every operation declares its
response model, so the OpenAPI document says what each answer holds (schemathesis checks it does)."""
