package dev.smartflow.cache.metacache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a stored question may answer a new one that is close to it by meaning. Sentence embeddings place
 * "What is the capital of France?" and "What is the capital of Germany?" very close together (the sentences share
 * everything but one word), so similarity alone serves wrong answers; this guard rejects a candidate whenever the
 * facts the two questions name differ, however similar they read.
 *
 * <p>Both texts are reduced to {@link Facts}, and the facts must be equal:
 * <ul>
 *   <li><b>numbers</b>: digits ({@code 1,234.5} as {@code 1234.5}), number words ({@code three}) and ordinals
 *       ({@code third}), as a multiset: "refund order 1234" never answers "refund order 1243";</li>
 *   <li><b>dates and times</b>: month and weekday names and relative days ({@code today}, {@code tomorrow}, ...);</li>
 *   <li><b>named entities</b>: capitalised words (a sentence's first word only when it is not a common word) and
 *       acronyms, compared without case;</li>
 *   <li><b>quoted strings</b>, exactly;</li>
 *   <li><b>negation</b>: whether a question says not / no / never / without / n't;</li>
 *   <li><b>one-word swaps</b>: where the two questions differ in exactly one content word at the same place ("capital
 *       of france" and "capital of spain", lower case), the swapped word is taken for an entity.</li>
 * </ul>
 * Deliberately strict: a paraphrase that drops a name or a number is rejected too. A rejected candidate costs one
 * provider call; a wrong hit serves a wrong answer. Thread-safe and stateless.
 */
final class Guard {
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+(?:['’.,][\\p{L}\\p{N}]+)*");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]{1,200})\"|“([^”]{1,200})”|'([^']{2,200})'(?!\\w)"
            + "|`([^`]{1,200})`");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?:;\\n]");

    private static final Map<String, String> NUMBER_WORDS = numberWords();
    private static final Set<String> DATE_WORDS = Set.of("january", "february", "march", "april", "june", "july",
            "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
            "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
            "sunday", "today", "tomorrow", "yesterday", "tonight", "weekend", "weekday", "morning", "afternoon",
            "evening", "night", "noon", "midnight", "daily", "weekly", "monthly", "yearly", "annual", "annually",
            "hourly", "spring", "summer", "autumn", "winter", "next", "ago", "before", "after", "until");
    /**
     * Words a paraphrase commonly uses for one another, mapped to one of them: a swap between these is not a change
     * of fact. Kept to plain synonyms; antonyms and near-synonyms that change an answer (enable / disable, add /
     * invite) are deliberately absent.
     */
    static final Map<String, String> SYNONYMS = synonyms(
            "change update modify edit switch", "delete remove erase", "largest biggest", "tallest highest",
            "restore recover", "create generate", "contact reach", "method option", "request apply",
            "author writer", "wrote write", "painter painted paint", "discoverer discovered discover",
            "begin start", "purchase buy", "fix repair", "car automobile", "photo picture", "quick fast");
    private static final Set<String> NEGATIONS = Set.of("not", "no", "never", "none", "nobody", "nothing",
            "neither", "nor", "cannot", "without", "nowhere", "noone", "dont", "doesnt", "didnt", "isnt", "arent",
            "wasnt", "werent", "wont", "cant", "couldnt", "shouldnt", "wouldnt", "havent", "hasnt", "hadnt");
    /** Words that carry no fact of their own: question words, pronouns, auxiliaries, articles, prepositions. */
    static final Set<String> COMMON = Set.copyOf(Arrays.asList("a", "an", "the", "this", "that", "these",
            "those", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "done", "have",
            "has", "had", "having", "can",
            "could", "would", "should", "shall", "will", "may", "might", "must", "i", "me", "my", "mine", "myself",
            "we", "us", "our", "ours", "you", "your", "yours", "he", "him", "his", "she", "her", "hers", "it", "its",
            "they", "them", "their", "theirs", "what", "whats", "what's", "which", "who", "whom", "whose", "when",
            "where", "why", "how", "hows", "how's", "whats", "please", "tell", "explain", "describe", "give", "show",
            "list", "name", "find", "say", "know", "let", "help", "want", "need", "like", "kindly", "quick",
            "quickly", "briefly", "brief", "short", "simple", "simply", "hey", "hi", "hello", "so", "and", "or",
            "but", "if", "then", "than", "of", "in", "on", "at", "to", "for", "from", "by", "with", "about", "as",
            "into", "onto", "over", "under", "up", "down", "out", "off", "there", "here", "any", "some", "all",
            "each", "every", "much", "many", "more", "most", "very", "really", "just", "also", "too", "again", "ok",
            "okay", "yes", "thanks", "thank", "whether", "way", "ways", "mean", "means",
            "meaning", "exactly", "actually", "basically", "generally", "usually", "typically", "in", "get", "got",
            "make", "one's", "someone", "something", "anything", "thing", "things", "kind", "sort", "type", "use",
            "using", "used", "go", "going", "possible", "able", "correct", "right", "proper",
            "properly", "steps", "step", "guide", "overview", "summary", "summarize", "summarise", "definition",
            "define", "difference", "between", "vs", "versus", "compare", "works", "work", "working", "exist",
            "exists", "happen", "happens", "called", "call", "word", "words", "term", "example", "examples",
            "info", "information", "details", "detail", "question", "answer", "answers", "now", "currently",
            "today's", "dear", "assistant", "chatgpt", "ai", "bot"));

    private Guard() {
    }

    /** Whether {@code candidate}'s answer may be served for {@code query}. */
    static boolean allows(String query, String candidate) {
        return rejection(query, candidate).isEmpty();
    }

    /** Why {@code candidate} is rejected for {@code query}, for tests and the evaluation; empty when it is not. */
    static Optional<String> rejection(String query, String candidate) {
        Facts q = Facts.of(query);
        Facts c = Facts.of(candidate);
        return q.difference(c).or(() -> oneWordSwap(q.words(), c.words()) ? Optional.of("swap")
                : Optional.empty());
    }

    /**
     * True when the word sequences, aligned on their longest common subsequence, differ somewhere by exactly one
     * content word replaced by one other content word.
     */
    static boolean oneWordSwap(List<String> a, List<String> b) {
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0;
        int j = 0;
        List<String> gapA = new ArrayList<>();
        List<String> gapB = new ArrayList<>();
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                if (swap(gapA, gapB)) {
                    return true;
                }
                gapA.clear();
                gapB.clear();
                i++;
                j++;
            } else if (j >= b.size() || i < a.size() && lcs[i + 1][j] >= lcs[i][j + 1]) {
                gapA.add(a.get(i++));
            } else {
                gapB.add(b.get(j++));
            }
        }
        return swap(gapA, gapB);
    }

    private static boolean swap(List<String> gapA, List<String> gapB) {
        List<String> contentA = gapA.stream().filter(w -> !COMMON.contains(w)).toList();
        List<String> contentB = gapB.stream().filter(w -> !COMMON.contains(w)).toList();
        boolean wordForWord = gapA.size() == 1 && gapB.size() == 1 && contentA.size() + contentB.size() >= 1;
        return wordForWord || contentA.size() == 1 && contentB.size() == 1;
    }

    private static Map<String, String> synonyms(String... groups) {
        Map<String, String> map = new HashMap<>();
        for (String group : groups) {
            String[] words = group.split(" ");
            for (String word : words) {
                map.put(word, words[0]);
            }
        }
        return Map.copyOf(map);
    }

    private static Map<String, String> numberWords() {
        String[] cardinals = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
            "twenty"};
        String[] ordinals = {"zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth"};
        Map<String, String> words = new HashMap<>();
        for (int i = 0; i < cardinals.length; i++) {
            words.put(cardinals[i], Integer.toString(i));
        }
        for (int i = 1; i < ordinals.length; i++) {
            words.put(ordinals[i], "#" + i);
        }
        words.put("thirty", "30");
        words.put("forty", "40");
        words.put("fifty", "50");
        words.put("sixty", "60");
        words.put("seventy", "70");
        words.put("eighty", "80");
        words.put("ninety", "90");
        words.put("hundred", "100");
        words.put("thousand", "1000");
        words.put("million", "1000000");
        words.put("billion", "1000000000");
        words.put("dozen", "12");
        words.put("half", "0.5");
        words.put("twice", "2");
        words.put("double", "2");
        words.put("triple", "3");
        words.put("once", "1");
        return Map.copyOf(words);
    }

    /** What a question names; two questions may share an answer only when these are equal. */
    record Facts(List<String> numbers, Set<String> dates, List<String> entities, Set<String> quoted,
                 boolean negated, List<String> words) {
        static Facts of(String text) {
            List<String> numbers = new ArrayList<>();
            Set<String> dates = new TreeSet<>();
            List<String> entities = new ArrayList<>();
            Set<String> quoted = new TreeSet<>();
            List<String> words = new ArrayList<>();
            boolean negated = false;
            Matcher quotes = QUOTED.matcher(text);
            while (quotes.find()) {
                for (int g = 1; g <= quotes.groupCount(); g++) {
                    if (quotes.group(g) != null) {
                        quoted.add(quotes.group(g).strip());
                    }
                }
            }
            Matcher tokens = TOKEN.matcher(text);
            int lastEnd = 0;
            boolean sentenceStart = true;
            while (tokens.find()) {
                if (SENTENCE_END.matcher(text.substring(lastEnd, tokens.start())).find()) {
                    sentenceStart = true;
                }
                lastEnd = tokens.end();
                String token = tokens.group();
                String lower = token.toLowerCase(Locale.ROOT).replace('’', '\'');
                String bare = lower.replace("'", "");
                if (NUMBER.matcher(token).matches() || startsWithDigit(token)) {
                    numbers.add(number(token));
                } else if (NUMBER_WORDS.containsKey(lower)) {
                    numbers.add(NUMBER_WORDS.get(lower));
                }
                if (DATE_WORDS.contains(lower)) {
                    dates.add(lower);
                }
                if (NEGATIONS.contains(bare) || lower.endsWith("n't") || lower.endsWith("n’t")) {
                    negated = true;
                }
                if (entity(token, lower, sentenceStart)) {
                    String entity = stem(possessive(lower));
                    if (!entities.contains(entity)) {
                        entities.add(entity);
                    }
                }
                for (String word : lower.split("[.,]")) {
                    if (!word.isEmpty()) {
                        String stem = COMMON.contains(word) ? word : stem(possessive(word));
                        words.add(SYNONYMS.getOrDefault(stem, stem));
                    }
                }
                sentenceStart = false;
            }
            return new Facts(List.copyOf(numbers), Set.copyOf(dates), List.copyOf(entities), Set.copyOf(quoted),
                    negated, List.copyOf(words));
        }

        /** Why these facts differ from {@code other}'s, or empty when they name the same things. */
        Optional<String> difference(Facts other) {
            if (!numbers.equals(other.numbers)) {
                return Optional.of("numbers");
            }
            if (!dates.equals(other.dates)) {
                return Optional.of("dates");
            }
            if (!sameEntities(other)) {
                return Optional.of("entities");
            }
            if (!quoted.equals(other.quoted)) {
                return Optional.of("quoted");
            }
            return negated == other.negated ? Optional.empty() : Optional.of("negation");
        }

        /**
         * Every entity of each text occurs as a word of the other (a name capitalised in one question and not in
         * the other is the same name), and the entities both name come in the same order ("Celsius to Fahrenheit"
         * is not "Fahrenheit to Celsius").
         */
        private boolean sameEntities(Facts other) {
            if (!other.wordSet().containsAll(entities) || !wordSet().containsAll(other.entities)) {
                return false;
            }
            List<String> mine = entities.stream().filter(other.entities::contains).toList();
            List<String> theirs = other.entities.stream().filter(entities::contains).toList();
            return mine.equals(theirs);
        }

        private Set<String> wordSet() {
            Set<String> set = new HashSet<>();
            for (String word : words) {
                set.add(word);
            }
            for (Map.Entry<String, String> synonym : SYNONYMS.entrySet()) {
                if (set.contains(synonym.getValue())) {
                    set.add(synonym.getKey());
                }
            }
            return set;
        }

        private static boolean startsWithDigit(String token) {
            return Character.isDigit(token.charAt(0));
        }

        /** {@code 1,234.50} as {@code 1234.50}; a token such as {@code 5pm} or {@code 3rd} as it is, lower case. */
        private static String number(String token) {
            if (NUMBER.matcher(token).matches()) {
                String plain = token.matches("\\d{1,3}(,\\d{3})+(\\.\\d+)?") ? token.replace(",", "") : token;
                return plain.replace(',', '.');
            }
            return token.toLowerCase(Locale.ROOT);
        }

        private static boolean entity(String token, String lower, boolean sentenceStart) {
            if (lower.equals("i") || !Character.isUpperCase(token.codePointAt(0)) && !hasInnerUpper(token)) {
                return false;
            }
            if (DATE_WORDS.contains(lower) || NUMBER_WORDS.containsKey(lower)) {
                return false;
            }
            return !sentenceStart || !COMMON.contains(lower) && !NEGATIONS.contains(lower.replace("'", ""))
                    && !commonOpening(lower);
        }

        /** iPhone, eBay, macOS. */
        private static boolean hasInnerUpper(String token) {
            for (int i = 1; i < token.length(); i++) {
                if (Character.isUpperCase(token.charAt(i))) {
                    return true;
                }
            }
            return false;
        }

        /** Verbs and adverbs a question or request commonly opens with. */
        private static boolean commonOpening(String lower) {
            return switch (lower) {
                case "is", "are", "was", "were", "can", "could", "should", "would", "will", "does", "do", "did",
                     "write", "create", "generate", "translate", "convert", "calculate", "compute", "recommend",
                     "suggest", "provide", "check", "fix", "add", "remove", "set", "reset", "change", "update",
                     "cancel", "delete", "send", "book", "order", "buy", "sell", "pay", "return", "refund", "track",
                     "open", "close", "start", "stop", "run", "install", "configure", "enable", "disable", "print",
                     "read", "rewrite", "draft", "compose", "outline", "identify", "in", "on", "for", "from", "to",
                     "with", "at", "by", "after", "before", "during", "since", "until", "regarding", "concerning",
                     "any", "quick", "question", "i'd", "i'm", "im", "id", "ive", "i've", "we're", "we'd", "it's",
                     "there", "here", "then", "also", "so", "now", "well", "hmm", "umm", "sorry", "excuse",
                     "just", "okay", "ok", "yes", "no", "why", "which", "who", "whom", "whose", "when", "where",
                     "how", "what", "whats", "what's", "hows", "how's", "wheres", "where's", "whos", "who's",
                     "whens", "when's", "whys", "why's" -> true;
                default -> false;
            };
        }

        private static String possessive(String lower) {
            return lower.endsWith("'s") ? lower.substring(0, lower.length() - 2) : lower;
        }

        /** Plurals as singulars and -ing / -ed forms as their verb, so "passwords" and "password" are one word. */
        private static String stem(String word) {
            if (word.length() > 6 && word.endsWith("ing")) {
                return word.substring(0, word.length() - 3);
            }
            if (word.length() > 5 && word.endsWith("ed") && !word.endsWith("eed")) {
                return word.substring(0, word.length() - 2);
            }
            if (word.length() > 4 && word.endsWith("ies")) {
                return word.substring(0, word.length() - 3) + "y";
            }
            if (word.length() > 3 && word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us")
                    && !word.endsWith("is")) {
                return word.substring(0, word.length() - 1);
            }
            return word;
        }
    }
}
