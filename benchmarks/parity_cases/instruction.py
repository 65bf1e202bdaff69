"""Parity cases for the instruction family (ifeval, ifbench): realistic prompts, many answers per instruction."""

from __future__ import annotations

from typing import Any

# Every kwargs dict carries all keys, mostly null, as in the opencompass copy of IFEval.
IFEVAL_KEYS = (
    "num_highlights", "relation", "num_words", "num_placeholders", "prompt_to_repeat", "num_paragraphs",
    "nth_paragraph", "first_word", "postscript_marker", "section_spliter", "num_sections", "num_sentences",
    "num_bullets", "forbidden_words", "keywords", "keyword", "frequency", "letter", "let_frequency",
    "let_relation", "language", "end_phrase", "capital_frequency", "capital_relation",
)

CASES: list[dict[str, Any]] = []
_key = [1000]


def _add(dataset: str, keys: tuple[str, ...], prompt: str, instructions: list[tuple[str, dict[str, Any]]],
         answers: list[tuple[str, str]]) -> None:
    _key[0] += 1
    metadata = {
        "key": _key[0], "prompt": prompt, "instruction_id_list": [i for i, _ in instructions],
        "kwargs": [{k: kw.get(k) for k in keys} | {k: v for k, v in kw.items() if k not in keys}
                   for _, kw in instructions],
    }
    for answer, note in answers:
        CASES.append({"dataset_name": dataset, "subset_name": "default", "input": prompt, "choices": None,
                      "target": "", "metadata": metadata, "answer": answer, "note": note})


def ifeval(prompt: str, instructions: list[tuple[str, dict[str, Any]]], answers: list[tuple[str, str]]) -> None:
    """Add one IFEval prompt with several answers."""
    _add("ifeval", IFEVAL_KEYS, prompt, instructions, answers)


POEM = "Roses bloom in May.\nThe river hums along.\nWe walk home slowly."
LONG = " ".join(["The committee reviewed the annual budget and found several errors in the report."] * 12)

ifeval("Write a short poem about spring. Your entire response should be in English, and in all lowercase "
       "letters. No capital letters are allowed.", [("change_case:english_lowercase", {})], [
    ("roses bloom in may\nthe river hums along\nwe walk home slowly", "follows"),
    (POEM, "violates: capitals"),
    ("Here is a poem:\nroses bloom in may and the river hums along the valley", "loose: first line dropped"),
    ("12345 678", "edge: no letters, no language features"),
    ("", "edge: empty answer"),
])
ifeval("Describe a busy market. Your entire response should be in English, and in all capital letters.",
       [("change_case:english_capital", {})], [
    ("I LOVE THIS MARKET BECAUSE THE PEOPLE ARE KIND AND THE FOOD IS WONDERFUL.", "follows"),
    ("WHAT A BEAUTIFUL DAY IT IS TODAY", "follows"),
    ("THE MARKET IS LOUD AND FULL OF FRESH FRUIT, SPICES AND SHOUTING VENDORS.",
     "edge: langdetect reads these capitals as German"),
    ("The market is loud and full of fresh fruit.", "violates"),
    ("LE MARCHÉ EST BRUYANT ET PLEIN DE FRUITS FRAIS ET DE VENDEURS QUI CRIENT.", "violates: French"),
])
ifeval("Explain photosynthesis to a child. In your entire response, refrain from the use of any commas.",
       [("punctuation:no_comma", {})], [
    ("Plants eat sunlight. They use water and air to make food.", "follows"),
    ("Plants eat sunlight, water, and air.", "violates"),
])
ifeval("Tell me about the Eiffel Tower. Your ENTIRE response should be in German language, no other language "
       "is allowed.", [("language:response_language", {"language": "de"})], [
    ("Der Eiffelturm ist ein schmiedeeiserner Turm in Paris und wurde für die Weltausstellung gebaut.",
     "follows"),
    ("The Eiffel Tower is a wrought iron tower in Paris built for the World's Fair.", "violates: English"),
    ("1889 / 330 m", "edge: nothing to detect counts as followed"),
])
ifeval("Write a haiku about rain. Your ENTIRE response should be in Hindi language.",
       [("language:response_language", {"language": "hi"})], [
    ("बारिश की बूंदें धीरे धीरे गिरती हैं और धरती मुस्कुराती है", "follows"),
    ("Rain falls on the roof", "violates"),
])
ifeval("Write a limerick about a cat. Answer with at least 5 sentences.",
       [("length_constraints:number_sentences", {"num_sentences": 5, "relation": "at least"})], [
    ("A cat sat on a mat. It was fat. It saw a rat. It chased the rat. Then it took a nap.", "follows"),
    ("A cat sat on a mat. It was fat.", "violates"),
    ("Dr. Smith owns a cat. Mr. Jones owns a dog. They met at 5 p.m. on Main St. and talked. It was fun.",
     "edge: abbreviations"),
])
ifeval("Summarise the plot of Hamlet in less than 3 sentences.",
       [("length_constraints:number_sentences", {"num_sentences": 3, "relation": "less than"})], [
    ("Hamlet seeks revenge for his father. Almost everyone dies.", "follows"),
    ("Hamlet sees a ghost. He pretends to be mad. He kills Polonius. Everyone dies.", "violates"),
])
ifeval("Write an essay about trains with at least 120 words.",
       [("length_constraints:number_words", {"num_words": 120, "relation": "at least"})], [
    (LONG, "follows"), ("Trains are fast and comfortable.", "violates"),
])
ifeval("Give a one-line answer: what is 2+2? Answer with less than 10 words.",
       [("length_constraints:number_words", {"num_words": 10, "relation": "less than"})], [
    ("It is four.", "follows"), (LONG, "violates"),
])
ifeval("Write a story in 3 paragraphs. Paragraphs are separated with the markdown divider: ***",
       [("length_constraints:number_paragraphs", {"num_paragraphs": 3})], [
    ("Once upon a time.\n***\nThere was a fox.\n***\nThe end.", "follows"),
    ("***\nOnce upon a time.\n***\nThere was a fox.\n***\nThe end.\n***", "edge: leading/trailing divider"),
    ("Once.\n***\n***\nThe end.\n***\nMore.", "violates: empty middle paragraph"),
    ("Once upon a time.\n\nThere was a fox.\n\nThe end.", "violates: no dividers"),
])
ifeval("Write 2 paragraphs about tea separated by two new lines. Paragraph 2 must start with word 'however'.",
       [("length_constraints:nth_paragraph_first_word",
         {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "however"})], [
    ("Tea is popular in Asia.\n\nHowever, coffee is gaining ground.", "follows"),
    ("Tea is popular.\n\n\"However,\" she said, coffee wins.", "edge: quoted first word"),
    ("Tea is popular.\n\nCoffee, however, wins.", "violates: wrong first word"),
    ("Tea is popular.\n\nHowever coffee wins.\n\nThe end.", "violates: three paragraphs"),
])
ifeval("Write a letter template with at least 3 placeholders in square brackets like [name].",
       [("detectable_content:number_placeholders", {"num_placeholders": 3})], [
    ("Dear [name], we will meet at [address] on [date].", "follows"),
    ("Dear [name], see you soon.", "violates"),
])
ifeval("Write a note to your landlord. At the end, add a postscript starting with P.S.",
       [("detectable_content:postscript", {"postscript_marker": "P.S."})], [
    ("The heating is broken.\n\nP.S. Thanks for your help.", "follows"),
    ("The heating is broken.\np. s. thanks", "edge: lower case, spaced"),
    ("The heating is broken. Thanks.", "violates"),
])
ifeval("Write a short memo. At the end, add a postscript starting with P.P.S",
       [("detectable_content:postscript", {"postscript_marker": "P.P.S"})], [
    ("Meeting at noon.\nP.P.S. Bring snacks.", "follows"), ("Meeting at noon.\nP.S. Bring snacks.", "violates"),
])
ifeval("List the benefits of exercise. Your answer must contain exactly 3 bullet points in markdown.",
       [("detectable_format:number_bullet_lists", {"num_bullets": 3})], [
    ("* Better sleep\n* More energy\n* Stronger heart", "follows"),
    ("- Better sleep\n- More energy\n- Stronger heart", "follows: dashes"),
    ("* Better sleep\n* More energy", "violates: two bullets"),
    ("**Benefits**\n* Better sleep\n* More energy\n* Stronger heart", "edge: bold line is not a bullet"),
])
ifeval("Is the sky blue? Answer with one of the following options: My answer is yes., My answer is no., "
       "My answer is maybe.", [("detectable_format:constrained_response", {})], [
    ("My answer is yes.", "follows"), ("Yes, it is.", "violates"),
    ("Well... My answer is maybe. Hard to say.", "follows: option inside text"),
])
ifeval("Describe your favourite city. Highlight at least 2 sections in your answer with markdown, i.e. "
       "*highlighted section*.", [("detectable_format:number_highlighted_sections", {"num_highlights": 2})], [
    ("I love *Lisbon* for its *light* and food.", "follows"),
    ("I love **Lisbon** and *its light*.", "follows: bold and italic"),
    ("I love *Lisbon*.", "violates"), ("I love ** ** and * *.", "edge: empty highlights"),
])
ifeval("Write a 2-section guide. Mark the beginning of each section with SECTION X.",
       [("detectable_format:multiple_sections", {"section_spliter": "SECTION", "num_sections": 2})], [
    ("SECTION 1\nBuy seeds.\nSECTION 2\nPlant them.", "follows"),
    ("Section 1\nBuy seeds.\nSection 2\nPlant them.", "violates: wrong case"),
    ("SECTION 1\nBuy seeds and plant them.", "violates: one section"),
])
ifeval("Give the capital of France. Entire output should be wrapped in JSON format.",
       [("detectable_format:json_format", {})], [
    ('{"capital": "Paris"}', "follows"), ('```json\n{"capital": "Paris"}\n```', "follows: fenced"),
    ('```JSON\n{"capital": "Paris"}\n```', "follows: upper-case fence"),
    ('Here: {"capital": "Paris"}', "violates: prose before"), ("[1, 2, NaN]", "edge: NaN literal"),
])
ifeval("Write a poem about joy. Your answer must contain a title, wrapped in double angular brackets, such as "
       "<<poem of joy>>.", [("detectable_format:title", {})], [
    ("<<Morning Light>>\nThe sun is up.", "follows"), ("Morning Light\nThe sun is up.", "violates"),
    ("The sun <<rises>> again.", "follows: title anywhere"),
    ("<<   >>\nThe sun is up.", "edge: blank title"),
])
ifeval("Give two different recipes for pancakes. Separate the responses with 6 asterisk symbols: ******.",
       [("combination:two_responses", {})], [
    ("Mix flour and milk.\n******\nMix oats and banana.", "follows"),
    ("Mix flour and milk.\n******\nMix flour and milk.", "violates: identical"),
    ("Mix flour.\n******\n******\nMix oats.", "violates: empty middle"),
])
ifeval("Write a riddle about a clock. First repeat the request word for word without change, then give your "
       "answer.", [("combination:repeat_prompt", {"prompt_to_repeat": "Write a riddle about a clock."})], [
    ("Write a riddle about a clock. I have hands but cannot clap.", "follows"),
    ("Sure! Write a riddle about a clock. I have hands.", "violates"),
])
ifeval("Write a product description. Finish your response with this exact phrase Any other questions?. No other "
       "words should follow this phrase.", [("startend:end_checker", {"end_phrase": "Any other questions?"})], [
    ("This lamp is bright. Any other questions?", "follows"),
    ('"This lamp is bright. any other questions?"', "follows: quoted, lower case"),
    ("This lamp is bright. Any other questions? Bye.", "violates"),
])
ifeval("Describe a sunset. Wrap your entire response with double quotation marks.",
       [("startend:quotation", {})], [
    ('"The sky turned orange."', "follows"), ("The sky turned orange.", "violates"), ('"', "edge: one quote"),
])
ifeval("Write about robots. Include keywords 'sensor' and 'battery' in the response.",
       [("keywords:existence", {"keywords": ["sensor", "battery"]})], [
    ("Each robot has a Sensor and a battery.", "follows"), ("Each robot has a sensor.", "violates"),
])
ifeval("Write about the sea. In your response, the word 'wave' should appear at least 3 times.",
       [("keywords:frequency", {"keyword": "wave", "frequency": 3, "relation": "at least"})], [
    ("A wave, then a Wave, then waves.", "follows: substrings count"), ("One wave only.", "violates"),
])
ifeval("Write about a forest. In your response, the word 'tree' should appear less than 2 times.",
       [("keywords:frequency", {"keyword": "tree", "frequency": 2, "relation": "less than"})], [
    ("The forest is green.", "follows"), ("A tree and a tree.", "violates"),
])
ifeval("Describe a city. Do not include keywords 'car' or 'traffic' in the response.",
       [("keywords:forbidden_words", {"forbidden_words": ["car", "traffic"]})], [
    ("The city has carts and cargo ships.", "follows: only as part of words"),
    ("The city has heavy Traffic.", "violates"),
])
ifeval("Write a tongue twister. In your response, the letter q should appear at least 4 times.",
       [("keywords:letter_frequency", {"letter": "q", "let_frequency": 4, "let_relation": "at least"})], [
    ("Quick queens quietly quilt.", "follows"), ("Quick kings.", "violates"),
])
ifeval("Write a slogan. In your response, words with all capital letters should appear at least 2 times.",
       [("change_case:capital_word_frequency", {"capital_frequency": 2, "capital_relation": "at least"})], [
    ("BUY NOW and SAVE big.", "follows"), ("Buy now and SAVE big.", "violates"),
])
ifeval("Write a slogan. Words with all capital letters should appear less than 2 times.",
       [("change_case:capital_word_frequency", {"capital_frequency": 2, "capital_relation": "less than"})], [
    ("Buy now and SAVE.", "follows"), ("BUY NOW. I AM HAPPY.", "violates"),
])
ifeval("Write a cover letter for a barista job. Use at least 2 placeholders like [name], wrap the title in "
       "double angular brackets and end with P.S.",
       [("detectable_content:number_placeholders", {"num_placeholders": 2}), ("detectable_format:title", {}),
        ("detectable_content:postscript", {"postscript_marker": "P.S."})], [
    ("<<Application>>\nDear [manager], I am [name].\nP.S. I love coffee.", "follows all"),
    ("<<Application>>\nDear [manager], I am Sam.\nP.S. I love coffee.", "violates one of three"),
    ("Dear manager.", "violates all"),
])
ifeval("Write a blog post about hiking in all lowercase letters, with exactly 2 bullet points, and include the "
       "keyword 'trail'.", [("change_case:english_lowercase", {}),
                            ("detectable_format:number_bullet_lists", {"num_bullets": 2}),
                            ("keywords:existence", {"keywords": ["trail"]})], [
    ("hiking is fun on a long trail\n* bring water\n* wear boots", "follows all"),
    ("**Hiking Tips**\nhiking is fun on a long trail\n* bring water\n* wear boots", "loose only: first line"),
])

IFBENCH_KEYS = ("N", "min_words", "max_words", "percentage", "small_n", "reference_text", "word", "options",
                "keyword1", "keyword2", "keyword3", "keyword4", "keyword5", "prompt_to_repeat", "sep", "keyword", "n",
                "m", "n_start", "n_end")


def ifbench(prompt: str, instructions: list[tuple[str, dict[str, Any]]], answers: list[tuple[str, str]]) -> None:
    """Add one IFBench prompt with several answers."""
    _add("ifbench", IFBENCH_KEYS, prompt, instructions, answers)


ifbench("Describe a lighthouse in 8 to 15 words.", [("count:word_count_range", {"min_words": 8, "max_words": 15})], [
    ("A tall white lighthouse guards the rocky coast every single night.", "follows"),
    ("A lighthouse.", "violates"),
])
ifbench("Write about autumn using at least 8 unique words.", [("count:unique_word_count", {"N": 8})], [
    ("Autumn leaves fall softly, painting quiet streets gold and red.", "follows"),
    ("Leaves leaves leaves leaves.", "violates"),
])
ifbench("Write a sentence with stop words at most 30% of all words.", [("ratio:stop_words", {"percentage": 30})], [
    ("Bright stars shine over quiet hills.", "stopwords data absent offline: excluded"),
])
ifbench("Write a paragraph with two statements for every question.", [("ratio:sentence_type", {})], [
    ("It rains. It pours. Why now?", "follows"), ("Why? How? It rains.", "violates"),
])
ifbench("Use the same number of statements, questions and exclamations.", [("ratio:sentence_balance", {})], [
    ("It rains. Why now? Wow!", "follows"), ("It rains. It pours. Wow!", "violates"),
])
ifbench("Use at least 3 different coordinating conjunctions.", [("count:conjunctions", {"small_n": 3})], [
    ("I ran and jumped, but fell, so I rested.", "follows"), ("I ran and jumped and fell.", "violates"),
    ("And, and and", "follows: raw tokens differ"),
])
ifbench("Mention at least 2 people by first name.", [("count:person_names", {"N": 2})], [
    ("Emma met Liam at the station.", "follows"), ("emma met a friend.", "violates: case-sensitive"),
    ("Noah, Noah and Ava.", "follows: repeats count once"),
])
ifbench("Use exactly 3 numbers.", [("count:numbers", {"N": 3})], [
    ("I have 2 cats, 3 dogs and 10 fish.", "follows"), ("It costs 3.50 dollars.", "edge: punctuation removed"),
])
ifbench("Each word must start with the next letter of the alphabet.", [("words:alphabet", {})], [
    ("Any bright cat dances elegantly.", "follows"), ("Any cat dances.", "violates"),
])
ifbench("Write one paragraph using at most three distinct vowels.", [("words:vowel", {})], [
    ("A cat sat at that mat.", "follows"), ("Education is wonderful.", "violates"),
    ("Cat sat.\nMat.", "violates: two lines"),
])
ifbench("Every word must contain a consonant cluster.", [("words:consonants", {})], [
    ("Strong frogs jump.", "follows"), ("A strong frog.", "violates"),
])
ifbench("Each sentence must have more alliterating words than the last.", [("sentence:alliteration_increment", {})], [
    ("Big dogs run. Silly snakes slide slowly.", "follows"), ("Silly snakes slide. Big dogs run.", "violates"),
])
ifbench("Use at least 10 palindromes of five letters or more.", [("words:palindrome", {})], [
    ("level radar civic rotor kayak refer madam stats tenet racecar", "follows"), ("level radar", "violates"),
])
ifbench("Use every punctuation mark, including an interrobang.", [("count:punctuation", {})], [
    ("Wait?! Yes, really; it works: fine. Go! Why?", "follows"), ("Wait, what?", "violates"),
    ("Wait?! Yes, really; it works: fine. Go!", "violates: the interrobang's ? does not count"),
])
ifbench("Nest brackets at least 5 levels deep.", [("format:parentheses", {})], [
    ("Look (a [b {c (d [e] ) } ] ) done", "follows"), ("Look (a [b] c)", "violates"),
    ("((((( x ]", "violates: mismatched closer resets"),
])
ifbench("Nest quotes at least 3 levels deep.", [("format:quotes", {})], [
    ("He said \"she said 'they said \"hi\" to us' loudly\" today", "follows"), ("He said \"hi\"", "violates"),
])
ifbench("All words must have prime-number lengths.", [("words:prime_lengths", {})], [
    ("We are all here.", "follows: 2,3,3,4 fails"), ("Hi you are mighty", "follows"),
])
ifbench("Write each word on a new line.", [("format:newline", {})], [
    ("Hello\nworld\nagain", "follows"), ("Hello world\nagain", "violates"),
])
ifbench("End every sentence with an emoji.", [("format:emoji", {})], [
    ("I love cake 🍰. Rain is cold ☔.", "follows"), ("I love cake. Rain is cold ☔.", "violates"),
    ("I love cake. 🍰 Rain is cold ☔.", "follows: emoji opens the next sentence"),
])
ifbench("Write 3 sentences with equal length and no repeated word.", [("ratio:sentence_words", {})], [
    ("Cats nap. Dogs run. Owls fly.", "follows"), ("Cats nap. Dogs run fast. Owls fly.", "violates"),
    ("Cats nap. Cats run. Owls fly.", "violates: repeated word"),
])
ifbench("Every 3rd word must be Japanese.", [("count:words_japanese", {"N": 3})], [
    ("I like 寿司 and also 猫 very much 日本", "follows"), ("I like sushi and cats", "violates"),
])
ifbench("Start your answer with a verb.", [("words:start_verb", {})], [
    ("Run to the store now.", "tagger data absent offline: excluded"),
])
ifbench("No word may appear more than 2 times.", [("words:repeats", {"small_n": 2})], [
    ("The cat and the dog.", "follows"), ("The cat, the dog, the bird.", "violates"),
])
ifbench("The word 'river' must appear in sentence 2.", [("sentence:keyword", {"word": "river", "N": 2})], [
    ("We walked. The River was wide.", "follows"), ("The river was wide. We walked.", "violates"),
])
ifbench("Use at least 4 pronouns.", [("count:pronouns", {"N": 4})], [
    ("I told him that she and they agreed.", "follows"), ("The cat slept.", "violates"),
])
ifbench("Alternate odd and even syllable counts.", [("words:odd_even_syllables", {})], [
    ("cat apple dog table", "follows"), ("cat dog", "violates"),
])
ifbench("The last word of each sentence starts the next.", [("words:last_first", {})], [
    ("I saw a dog. Dog ran home. Home is warm.", "follows"), ("I saw a dog. Cat ran home.", "violates"),
])
ifbench("Each paragraph begins and ends with the same word.", [("words:paragraph_last_first", {})], [
    ("Rain falls all day rain\n\nSun shines bright sun", "follows"), ("Rain falls all day", "violates"),
])
ifbench("Each sentence has 1 more word than the last.", [("sentence:increment", {"small_n": 1})], [
    ("I ran. I ran fast. I ran very fast.", "follows"), ("I ran fast. I ran.", "violates"),
])
ifbench("No two consecutive words start with the same letter.", [("words:no_consecutive", {})], [
    ("The cat ran home.", "follows"), ("The tall cat.", "violates"),
])
ifbench("Rewrite with about 50% trigram overlap with: The quick brown fox jumps over the lazy dog.",
        [("ratio:overlap", {"reference_text": "The quick brown fox jumps over the lazy dog.", "percentage": 50})], [
    ("The quick brown fox jumps over a sleepy cat.", "follows: 4 of 8 trigrams shared"),
    ("The quick brown fox sleeps under a warm tree.", "violates: 25%"),
    ("The quick brown fox jumps over the lazy dog.", "violates: 100%"),
])
ifbench("Write about cats with 3 pronouns and no repeated word over twice.",
        [("count:pronouns", {"N": 3}), ("words:repeats", {"small_n": 2})], [
    ("I think she likes them.", "follows both"), ("I think the cat likes the sun the most.", "violates both"),
])
ifbench("Is water wet? Answer with one of the following options: yes/no/maybe. Do not give any explanation.",
        [("format:options", {"options": "yes/no/maybe"})], [
    ("Yes.", "follows: loose match"), ("Yes, because it is liquid.", "violates"),
])
ifbench("Which is a prime? Answer with one of: a), b), c), d)", [("format:options", {"options": "a), b), c), d)"})], [
    ("b)", "follows: exact"), ("B)", "violates: lettered options are exact"),
])
ifbench("Do you know the answer? Answer I know or I don't know.",
        [("format:options", {"options": "I know or I don't know"})], [
    ("I don't know", "follows"), ("Maybe", "violates"),
])
ifbench("Indent each line more than the previous one.", [("format:line_indent", {})], [
    ("Step one\n  Step two\n    Step three", "follows"), ("Step one\nStep two", "violates"),
    ("a\n\n\n  b\n    c", "edge: blank lines removed while iterating"),
])
ifbench("Quote two phrases and explain each.", [("format:quote_unquote", {})], [
    ('"To be" means existence. "Or not" means the opposite.', "follows"), ('He said "hello"', "violates"),
])
ifbench("List items separated by the marker SEPARATOR.", [("format:list", {"sep": "SEPARATOR"})], [
    ("SEPARATOR apples SEPARATOR pears", "follows"), ("apples SEPARATOR pears", "violates"),
])
ifbench("Put your thesis in italics with <i> tags, then discuss it.", [("format:thesis", {})], [
    ("<i>Cats rule.</i> They nap all day.", "follows"), ("<i>Cats rule.</i>", "violates: nothing after"),
    ("<em>Dogs rule.</em> Loyal friends.", "edge: em tags"),
])
ifbench("Use bullet points, each with a sub-bullet.", [("format:sub-bullets", {})], [
    ("* Fruit\n  - apple\n* Veg\n  - kale", "follows"), ("* Fruit\n* Veg", "violates"),
])
ifbench("Write two sentences, then at least two bullet points.", [("format:no_bullets_bullets", {})], [
    ("I like tea. It is warm.\n* green\n* black", "follows"), ("I like tea.\n* green\n* black", "violates"),
    ("I like tea. It is warm.\n\nMore text.\n* green\n* black", "edge: blank line closes the prose"),
])
ifbench("Write Your Answer In Title Case.", [("format:title_case", {})], [
    ("The Quick Brown Fox", "follows"), ("The quick brown fox", "violates"),
])
ifbench("Use the template: My Answer: ... My Conclusion: ... Future Outlook: ...", [("format:output_template", {})], [
    ("My Answer: yes\nMy Conclusion: good\nFuture Outlook: bright", "follows"), ("My Answer: yes", "violates"),
])
ifbench("Answer without any whitespace.", [("format:no_whitespace", {})], [
    ("Helloworld!", "follows"), ("Hello world!", "violates"),
])
ifbench("Print the multiples of 7 from 14 to 50.", [("custom:multiples", {})], [
    ("14,21,28,35,42,49", "follows"), ("7, 14, 21, 28, 35, 42, 49", "violates"),
])
_MCQ = "\n".join(f"Question {i}\n{'Why ' * i}?\nA. one\nB. two\nC. three\nD. four\nE. five" for i in range(1, 5))
ifbench("Write 4 multiple-choice questions with 5 options each, each question longer than the last.",
        [("custom:mcq_count_length", {})], [
    (_MCQ, "follows"), ("Here you go:\n" + _MCQ, "violates: text before"),
])
ifbench("Write 'the bald eagle flies' with its words in reverse order.", [("custom:word_reverse", {})], [
    ("flies eagle bald the", "follows"), ("the bald eagle flies", "violates"),
])
ifbench("Write 'bald eagle' with its characters reversed.", [("custom:character_reverse", {})], [
    ("elgae dlab", "follows"), ("bald eagle", "violates"),
])
ifbench("Write 26 sentences, each starting with the next letter of the alphabet.",
        [("custom:sentence_alphabet", {})], [
    (" ".join(f"{c.upper()}x is here." for c in "abcdefghijklmnopqrstuvwxyz"), "follows"),
    ("Apples are red. Bananas are yellow.", "violates"),
])
ifbench("Sort these European capitals from north to south, comma separated.",
        [("custom:european_capitals_sort", {})], [
    ("Reykjavík, Helsinki, Oslo, Tallinn, Stockholm, Riga, Moscow, Copenhagen, Vilnius, Minsk, Dublin, Berlin, "
     "Amsterdam, Warsaw, London, Brussels, Prague, Luxembourg, Paris, Vienna, Bratislava, Budapest, Vaduz, "
     "Chișinău, Bern, Ljubljana, Zagreb", "follows: accents normalised"),
    ("Oslo, Helsinki", "violates"),
])
ifbench("Write a CSV with columns ID, Country, City, Year, Count and 7 rows.", [("custom:csv_city", {})], [
    ("ID,Country,City,Year,Count\n" + "\n".join(f"{i},France,Paris,2020,{i}" for i in range(1, 8)), "follows"),
    ("ID,Country,City,Year,Count\n1,France,Paris,2020,1", "violates"),
])
ifbench("Write a CSV of 14 products (ProductID, Category, Brand, Price, Stock), one field quoted with a special "
        "character.", [("custom:csv_special_character", {})], [
    ("ProductID,Category,Brand,Price,Stock\n" + "\n".join(f'{i},Toys,"A&B",9,{i}' for i in range(1, 15)),
     "follows?"),
    ("ProductID,Category,Brand,Price,Stock\n1,Toys,Acme,9,1", "violates"),
])
ifbench("Write a tab-separated table of 3 students with every field quoted.", [("custom:csv_quotes", {})], [
    ('"StudentID"\t"Subject"\t"Grade"\t"Semester"\t"Score"\n' + "\n".join(
        f'"{i}"\t"Math"\t"A"\t"Fall"\t"9{i}"' for i in range(1, 4)), "follows?"),
    ("StudentID\tSubject\tGrade\tSemester\tScore\n1\tMath\tA\tFall\t90", "violates"),
])
ifbench("List dates between 1769 and 1821 as YYYY-MM-DD, comma separated.", [("custom:date_format_list", {})], [
    ("1769-08-15, 1804-12-02, 1821-05-05", "follows"), ("1769-02-30, 1800-01-01", "violates: Feb 30"),
    ("1800-00-00", "edge: month 0 passes"), ("1801-04-31", "violates: April 31"),
    ("1850-01-01", "violates: year"),
])
ifbench("Use 'sun' once, 'moon' twice, 'star' 3 times, 'sky' 5 times and 'night' 7 times.",
        [("count:keywords_multiple", {"keyword1": "sun", "keyword2": "moon", "keyword3": "star", "keyword4": "sky",
                                      "keyword5": "night"})], [
    ("sun moon moon star star star sky sky sky sky sky night night night night night night night", "follows"),
    ("sun moon star sky night", "violates"),
])
ifbench("Make 'river' the 3rd word of the 2nd sentence.",
        [("words:keywords_specific_position", {"keyword": "river", "n": 2, "m": 3})], [
    ("We walked. The wide river flowed.", "follows"), ("We walked. The river flowed.", "violates"),
])
ifbench("Make 'blue' the second word and the second-to-last word.", [("words:words_position", {"keyword": "blue"})], [
    ("The blue sky is very blue today.", "follows"), ("The sky is blue.", "violates"),
])
ifbench("Repeat the request changing only the first word: Write a poem about dogs.",
        [("repeat:repeat_change", {"prompt_to_repeat": "Write a poem about dogs."})], [
    ("Compose a poem about dogs.", "follows"), ("Write a poem about dogs.", "violates: unchanged"),
    ("Pen   a poem about   dogs.", "follows: whitespace normalised"),
])
ifbench("Only output this sentence here, ignore all other requests.", [("repeat:repeat_simple", {})], [
    ("Only output this sentence here, ignore all other requests.", "follows"), ("OK.", "violates"),
])
ifbench("Repeat words 2 to 4 of: The quick brown fox jumps.",
        [("repeat:repeat_span", {"prompt_to_repeat": "The quick brown fox jumps.", "n_start": 1, "n_end": 3})], [
    ("quick brown fox", "follows"), ("The quick brown", "violates"),
])
_COUNTRIES = sorted((f"Country{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)), reverse=True)
ifbench("List countries in reverse alphabetical order, starting with Zimbabwe, one per line.",
        [("custom:reverse_newline", {})], [
    ("Zimbabwe\n" + "\n".join(_COUNTRIES), "follows"), ("Zimbabwe\nZambia", "violates: too short"),
])
