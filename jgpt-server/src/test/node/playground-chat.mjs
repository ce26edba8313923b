// Holds a two-turn chat in the playground on a phone-sized headless Chromium and prints what the page showed as JSON.
// Usage: node playground-chat.mjs BASE_URL CHROMIUM_PATH MAX_TOKENS FIRST_MESSAGE SECOND_MESSAGE [SCREENSHOT_PATH]
import { chromium } from "playwright-core";

const [baseURL, executablePath, maxTokens, first, second, screenshot] = process.argv.slice(2);
const WIDTH = 375;
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 740 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(baseURL + "/");

  // how far the page reaches past the screen's right edge, and the controls that do not fit on it
  const layout = () => page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    offscreen: [...document.querySelectorAll("button, input, select, textarea")]
      .filter((el) => el.offsetParent !== null)
      .filter((el) => { const r = el.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; })
      .map((el) => el.id || el.tagName),
  }));
  const completionLayout = await layout();

  await page.click("#modeChat");
  await page.fill("#maxTokens", maxTokens);
  await page.$eval("#temperature", (el) => { el.value = "0"; el.dispatchEvent(new Event("input")); });
  const answers = [];
  for (const message of [first, second]) {
    await page.fill("#chatInput", message);
    await page.click("#send");
    await page.waitForFunction((n) => document.querySelectorAll(".message.assistant").length === n
        && document.querySelector("#stop").disabled && document.querySelector("#status").textContent.includes("finish:"),
        answers.length + 1, { timeout: 60_000 });
    answers.push(await page.$$eval(".message.assistant .content", (els) => els[els.length - 1].textContent));
  }
  const roles = await page.$$eval(".message .role", (els) => els.map((e) => e.textContent));
  const chatLayout = await layout();
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });

  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: "light" });
  const light = await background();
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await background();

  process.stdout.write(JSON.stringify({ answers, roles, errors, completionLayout, chatLayout, light, dark,
    status: await page.textContent("#status") }));
} finally {
  await browser.close();
}
