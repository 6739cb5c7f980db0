// Placeholder: the Azure driver Function App entry (Durable Functions orchestrator,
// its activities and the HTTP starter) is written for issue #5 and replaces this file.
export {};
