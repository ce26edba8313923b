// Drives the playground in headless Chromium and prints what the page showed as JSON.
// Usage: node playground.mjs BASE_URL CHROMIUM_PATH [SCREENSHOT_PATH]
import { chromium } from "playwright-core";

const [baseURL, executablePath, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(baseURL + "/");
  const title = await page.title();
  await page.fill("#prompt", "The quick brown");
  await page.fill("#maxTokens", "12");
  await page.$eval("#temperature", (el) => { el.value = "0"; el.dispatchEvent(new Event("input")); });
  await page.click("#generate");
  await page.waitForFunction(() => document.querySelector("#status").textContent.includes("finish:"), null, { timeout: 60_000 });
  const tokens = await page.$$eval("#output .token", (spans) => spans.map((s) => s.textContent));
  await page.click("#output .token >> nth=2");
  await page.waitForSelector("#panel .bar");
  // the caption says where the probability is: the number's place against the bar's
  const caption = await page.textContent("#panel p");
  const numberRightOfBar = await page.$eval("#panel .bar", (r) =>
    r.lastElementChild.getBoundingClientRect().left >= r.querySelector(".fill").parentElement.getBoundingClientRect().right);
  const bars = await page.$$eval("#panel .bar", (rows) => rows.map((r) => ({
    token: JSON.parse(r.querySelector("code").textContent), chosen: r.classList.contains("chosen"),
    width: parseFloat(r.querySelector(".fill").style.width),
  })));
  // the clicked token's attention row: one cell per token up to it, weights summing to 1
  await page.waitForSelector("#attention .cell");
  const attention = async () => page.$$eval("#attention .cell", (cells) => cells.map((c) => ({
    piece: c.textContent, weight: parseFloat(c.dataset.weight), self: c.classList.contains("self") })));
  const meanAttention = await attention();
  const layers = await page.$$eval("#attention select.layer option", (os) => os.length);
  await page.selectOption("#attention select.layer", "0");
  await page.selectOption("#attention select.head", "1");
  const headAttention = await attention();
  await page.$eval("#temperature", (el) => { el.value = "2"; el.dispatchEvent(new Event("input")); });
  const hotWidths = await page.$$eval("#panel .bar .fill", (fills) => fills.map((f) => parseFloat(f.style.width)));
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  process.stdout.write(JSON.stringify({ title, tokens, clicked: tokens[2], bars, hotWidths, errors,
    meanAttention, headAttention, layers, caption, numberRightOfBar,
    status: await page.textContent("#status") }));
} finally {
  await browser.close();
}
