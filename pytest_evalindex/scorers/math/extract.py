"""The legacy pipeline's answer extraction and normalisation (EvalScope's ``extract_answer``,
``strip_answer_string`` and helpers), plus the GSM8K reference rule."""

from __future__ import annotations

import re

_LAST_NUMBER = re.compile(r"-?\d*\.?\d+")
_THOUSANDS = re.compile(r"\s*-?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*")
_INT_LIST = re.compile(r"(\s*-?\d+\s*,)*\s*-?\d+\s*")


# --------------------------------------------------------------------------- extraction


def _after_brace(text: str) -> str:
    """Content of the brace group that ``text`` starts with (unbalanced: up to the end)."""
    depth, out = 1, []
    for char in text[1:]:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                break
        out.append(char)
    return "".join(out)


def _boxed_content(text: str, keyword: str) -> str:
    tail = text.split(keyword)[-1]
    if not tail:
        return ""
    if tail[0] == "{":
        return _after_brace(tail)
    return tail.split("$")[0].strip()


def extract_math_answer(text: str) -> str:
    """EvalScope's ``extract_answer``: the first matching branch wins, then normalisation."""
    text = text.replace("\u043a\u0438", "")
    if "final answer is $" in text and "$. I hope" in text:
        pred = text.split("final answer is $", 1)[1].split("$. I hope", 1)[0].strip()
    elif "boxed" in text:
        pred = _boxed_content(text, "boxed")
    elif "\\fbox" in text:  # not in EvalScope, which would fall through to the next branches
        pred = _boxed_content(text, "\\fbox")
    elif "he answer is" in text:
        pred = text.split("he answer is")[-1].strip()
    elif "final answer is" in text:
        pred = text.split("final answer is")[-1].strip()
    elif "答案是" in text:
        pred = text.split("答案是")[1].strip().split("\n\n")[0].strip()
    elif "ANSWER:" in text:
        pred = text.split("ANSWER:")[-1].strip()
    else:
        numbers = _LAST_NUMBER.findall(text.replace(",", ""))
        pred = numbers[-1] if numbers else ""
    pred = re.sub(r"\n\s*", "", pred)
    if pred.startswith(":"):
        pred = pred[1:]
    if pred.endswith("."):
        pred = pred[:-1]
    if pred.endswith("/"):
        pred = pred[:-1]
    return strip_answer_string(pred)


def gsm8k_reference(target: str) -> str:
    """The final answer of a GSM8K target: the text after ``####`` when present."""
    return target.split("####")[-1].strip() if "####" in target else target.strip()


# ------------------------------------------------------------------------ normalisation

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def word_to_number(text: str) -> str:
    """``"twenty-five"`` → ``"25"``; text that is not purely a number in words is returned as is."""
    words = text.lower().replace("-", " ").split()
    if not words or any(w not in _UNITS and w not in _SCALES and w != "and" for w in words):
        return text
    total = current = 0
    seen = False
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
            seen = True
    return str(total + current) if seen else text


def _fix_fracs(string: str) -> str:
    parts = string.split("\\frac")
    out = parts[0]
    for part in parts[1:]:
        out += "\\frac"
        if part.startswith("{"):
            out += part
            continue
        if len(part) < 2:
            return string
        a, b = part[0], part[1]
        if b != "{":
            out += "{" + a + "}{" + b + "}" + part[2:]
        else:
            out += "{" + a + "}" + b + part[2:]
    return out


def _fix_a_slash_b(string: str) -> str:
    pieces = string.split("/")
    if len(pieces) != 2:
        return string
    a, b = pieces
    try:
        num = a if "sqrt" in a else str(int(a))
        den = b if "sqrt" in b else str(int(b))
    except ValueError:
        return string
    if f"{num}/{den}" != string:
        return string
    return "\\frac{" + num + "}{" + den + "}"


def _text_word_number(match: re.Match[str]) -> str:
    word = match.group(1).lower()
    converted = word_to_number(word)
    return converted if converted != word else match.group(0)


def strip_answer_string(string: str) -> str:
    """EvalScope's ``strip_answer_string``: normalise an extracted math answer."""
    string = str(string).strip().replace("\n", "").rstrip(".")
    string = string.replace("\\!", "")
    string = re.sub(r"\\begin\{array\}\{.*?\}", r"\\begin{pmatrix}", string)
    string = re.sub(r"\\end\{array\}", r"\\end{pmatrix}", string)
    string = string.replace("bmatrix", "pmatrix")
    string = string.replace("tfrac", "frac").replace("dfrac", "frac")
    string = string.replace("\\neq", "\\ne").replace("\\leq", "\\le").replace("\\geq", "\\ge")
    string = string.replace("\\left", "").replace("\\right", "")
    string = string.replace("\\{", "{").replace("\\}", "}")
    string = re.sub(r"\\text\{([a-zA-Z]+)\}", _text_word_number, string)
    string = re.sub(r"(cm|inches)\}\^2", r"\1}", string)
    without_units = re.sub(r"\\text{.*?}$", "", string).strip()
    if without_units and without_units != string:
        string = without_units
    string = string.replace("^{\\circ}", "").replace("^\\circ", "")
    string = string.replace("\\$", "").replace("$", "")
    string = string.replace("\\(", "").replace("\\)", "")
    string = word_to_number(string)
    string = re.sub(r"\\text\{(.*?)\}", r"\1", string)
    for key in ("x=", "y=", "z=", "x\\in", "y\\in", "z\\in", "x\\to", "y\\to", "z\\to"):
        string = string.replace(key, "")
    string = string.replace("\\emptyset", "{}")
    string = string.replace("(-\\infty,\\infty)", "\\mathbb{R}")
    string = string.replace("\\%", "").replace("%", "")
    string = string.replace(" .", " 0.").replace("{.", "{0.")
    string = string.replace("infinity", "\\infty")
    if "\\infty" not in string:
        string = string.replace("inf", "\\infty")
    string = string.replace("+\\inity", "\\infty")
    string = string.replace("and", "").replace("\\mathbf", "")
    string = re.sub(r"\\mbox{.*?}", "", string)
    string = string.replace("'", "").replace('"', "")
    if "j" in string and "i" not in string:
        string = string.replace("j", "i")
    string = re.sub(r"(\d+)\.0*([^\d])", r"\1\2", string)
    string = re.sub(r"(\d+)\.0*$", r"\1", string)
    if not string:
        return string
    if string[0] == ".":
        string = "0" + string
    sides = string.split("=")
    if len(sides) == 2 and len(sides[0]) <= 2:
        string = sides[1]
    string = re.sub(r"\\sqrt(\w+)", r"\\sqrt{\1}", string)
    string = string.replace(" ", "")
    string = _fix_fracs(string)
    string = _fix_a_slash_b(string)
    string = re.sub(r"\\(?=\-?\d+(\\|\)|,|\]|$))", "", string)
    string = re.sub(r"thgrade$", "", string)
    if _THOUSANDS.fullmatch(string):
        string = string.replace(",", "")
    if _INT_LIST.fullmatch(string):
        try:
            string = ",".join(str(n) for n in sorted(int(x) for x in string.split(",")))
        except ValueError:
            pass
    return string
