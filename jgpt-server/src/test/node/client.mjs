// Talks to a running jgpt server with the official OpenAI client and prints what it got as JSON.
// Usage: node client.mjs BASE_URL API_KEY TOOLS_BASE_URL
import OpenAI from "openai";

const [baseURL, apiKey, toolsURL] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

const completion = await client.completions.create({
  model: out.models[0], prompt: "The quick brown", max_tokens: 12, temperature: 0, logprobs: 2,
});
out.completion = {
  text: completion.choices[0].text,
  finish_reason: completion.choices[0].finish_reason,
  usage: completion.usage,
  token_logprobs: completion.choices[0].logprobs.token_logprobs,
};

const chat = await client.chat.completions.create({
  model: out.models[0], messages: [{ role: "user", content: "Who jumps?" }], max_completion_tokens: 10, temperature: 0,
});
out.chat = { content: chat.choices[0].message.content, role: chat.choices[0].message.role, usage: chat.usage };

const stream = await client.chat.completions.create({
  model: out.models[0], messages: [{ role: "user", content: "Who jumps?" }], max_completion_tokens: 10, temperature: 0,
  stream: true, stream_options: { include_usage: true },
});
let streamed = "";
let finish = null;
let usage = null;
for await (const chunk of stream) {
  for (const choice of chunk.choices) {
    streamed += choice.delta.content ?? "";
    finish = choice.finish_reason ?? finish;
  }
  usage = chunk.usage ?? usage;
}
out.stream = { content: streamed, finish_reason: finish, usage };

try {
  await client.completions.create({ model: out.models[0], prompt: "a", temperature: 5 });
  out.error = null;
} catch (e) {
  out.error = { status: e.status, name: e.constructor.name, param: e.param ?? null, type: e.type ?? null };
}

const embedding = await client.embeddings.create({ model: out.models[0], input: ["The quick brown", "fox"] });
out.embeddings = { vectors: embedding.data.map((d) => Array.from(d.embedding)), usage: embedding.usage };

const structured = await client.chat.completions.create({
  model: out.models[0], messages: [{ role: "user", content: "Who jumps?" }], max_completion_tokens: 40, seed: 1,
  response_format: { type: "json_schema", json_schema: { name: "jump", strict: true, schema: {
    type: "object", properties: { who: { type: "string" }, high: { type: "boolean" } }, required: ["who", "high"],
    additionalProperties: false } } },
});
out.structured = structured.choices[0].message.content;

// tools, on a second server whose model has a chat template that shows them
const toolsClient = new OpenAI({ baseURL: toolsURL, apiKey, maxRetries: 0, timeout: 60_000 });
const tools = [{ type: "function", function: { name: "get_weather", description: "The weather in a city", parameters: {
  type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
  required: ["city", "unit"], additionalProperties: false } } }];
const toolRequest = {
  model: out.models[0], messages: [{ role: "user", content: "Weather in Paris?" }], tools, max_completion_tokens: 120, seed: 2,
  tool_choice: { type: "function", function: { name: "get_weather" } },
};
const called = await toolsClient.chat.completions.create(toolRequest);
out.tools = { message: called.choices[0].message, finish_reason: called.choices[0].finish_reason };
const calls = [];
let toolsFinish = null;
for await (const chunk of await toolsClient.chat.completions.create({ ...toolRequest, stream: true })) {
  for (const delta of chunk.choices[0]?.delta?.tool_calls ?? []) {
    calls[delta.index] ??= { id: delta.id, name: delta.function.name, arguments: "" };
    calls[delta.index].arguments += delta.function.arguments ?? "";
  }
  toolsFinish = chunk.choices[0]?.finish_reason ?? toolsFinish;
}
out.streamedTools = { calls, finish_reason: toolsFinish };
const answered = await toolsClient.chat.completions.create({
  model: out.models[0], max_completion_tokens: 5, seed: 2, tools, messages: [
    { role: "user", content: "Weather in Paris?" },
    called.choices[0].message,
    { role: "tool", tool_call_id: called.choices[0].message.tool_calls[0].id, content: "18 degrees" },
  ],
});
out.afterTool = { finish_reason: answered.choices[0].finish_reason, prompt_tokens: answered.usage.prompt_tokens };

process.stdout.write(JSON.stringify(out));
