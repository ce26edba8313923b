# Renders chat templates with Jinja as model hubs do (sandboxed, trim_blocks, lstrip_blocks).
# stdin: a JSON list of {"template", "messages", "bos_token", "eos_token"}
# stdout: a JSON list of the rendered prompts, with the generation prompt
import json
import sys

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
env.globals["raise_exception"] = raise_exception
cases = json.load(sys.stdin)
out = [env.from_string(c["template"]).render(messages=c["messages"], bos_token=c["bos_token"],
                                              eos_token=c["eos_token"], add_generation_prompt=True)
       for c in cases]
json.dump(out, sys.stdout, ensure_ascii=True)
