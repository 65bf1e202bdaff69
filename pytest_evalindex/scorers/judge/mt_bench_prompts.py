"""mt_bench's judge prompts, written for this project (EvalScope 1.14.1's rubric, inputs and roles, other words).

Four templates: the first turn rated on its own (``mt_bench_turn1``) or against the reference answer
(``mt_bench_turn1_ref``, categories math, reasoning and coding), and the second answer rated within the
whole conversation (``mt_bench_turn2``, ``mt_bench_turn2_ref``). Placeholders: ``{turn_1}``, ``{turn_2}``
(the user's turns), ``{reply_1}``, ``{reply_2}`` (the model's answers), ``{reference_1}``, ``{reference_2}``.
"""

from __future__ import annotations

TURN1_SYSTEM = "You are a helpful assistant."

_QUALITY = ("Judge the quality of an AI assistant's answer to the user question below, fairly and without bias. "
            "Weigh how helpful, relevant, accurate, deep and creative the answer is, and how much useful detail it "
            "gives.")
_CORRECTNESS = ("Judge the quality of an AI assistant's answer to the user question below, fairly and without bias, "
                "with correctness and helpfulness in mind. A reference answer is given as well: first compare the "
                "assistant's answer with it and point out any mistakes.")

TURN1 = "[Instruction]\n" + _QUALITY + """

[Question]
{turn_1}

[The Start of Assistant's Answer]
{reply_1}
[The End of Assistant's Answer]"""

TURN1_REF = "[Instruction]\n" + _CORRECTNESS + """

[Question]
{turn_1}

[The Start of Reference Answer]
{reference_1}
[The End of Reference Answer]

[The Start of Assistant's Answer]
{reply_1}
[The End of Assistant's Answer]"""

TURN2_SYSTEM = ("Judge the quality of an AI assistant's answers in the conversation below, fairly and without bias. "
                "Weigh how helpful, relevant, accurate, deep and creative the answer is, and how much useful detail "
                "it gives. Rate only the assistant's answer to the user's second question. Start with a short "
                "explanation, and stay as objective as you can.")
TURN2_REF_SYSTEM = ("Judge the quality of an AI assistant's answers in the conversation below, fairly and without "
                    "bias, with correctness and helpfulness in mind. A reference answer is given as well. Rate only "
                    "the assistant's answer to the user's second question: first compare it with the reference "
                    "answer and point out any mistakes.")

_CONVERSATION = """<|The Start of Assistant's Conversation with User|>

### User:
{turn_1}

### Assistant:
{reply_1}

### User:
{turn_2}

### Assistant:
{reply_2}

<|The End of Assistant's Conversation with User|>"""

TURN2 = _CONVERSATION
TURN2_REF = """<|The Start of Reference Answer|>

### User:
{turn_1}

### Reference answer:
{reference_1}

### User:
{turn_2}

### Reference answer:
{reference_2}

<|The End of Reference Answer|>


""" + _CONVERSATION
