package dev.wirestream.analysis;

import java.util.List;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.analysis.TokenizerFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/**
 * The four analysis components x-pack security's own index mapping names (its `email`
 * analyzer), which live in the analysis-common module the integ-test zip lacks. With them
 * the `.security` index can be created, so native users, roles and API keys work on the
 * local secured stack. Each does what the module's component of the same name does for
 * the settings that mapping uses.
 */
public final class SecurityIndexAnalysis {

    private SecurityIndexAnalysis() {}

    /** URLs and e-mail addresses as single tokens. */
    @NamedComponent("uax_url_email")
    public static class UrlEmailTokenizerFactory implements TokenizerFactory {
        @Override
        public Tokenizer create() {
            return new UAX29URLEmailTokenizer();
        }
    }

    /** Lowercase. */
    @NamedComponent("lowercase")
    public static class LowercaseFilterFactory implements TokenFilterFactory {
        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new LowerCaseFilter(tokenStream);
        }

        @Override
        public TokenStream normalize(TokenStream tokenStream) {
            return new LowerCaseFilter(tokenStream);
        }
    }

    /** Each term once per field value (the first occurrence is kept). */
    @NamedComponent("unique")
    public static class UniqueFilterFactory implements TokenFilterFactory {
        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new UniqueFilter(tokenStream);
        }
    }

    static final class UniqueFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        UniqueFilter(TokenStream input) {
            super(input);
        }

        @Override
        public boolean incrementToken() throws java.io.IOException {
            while (input.incrementToken()) {
                char[] chars = new char[term.length()];
                System.arraycopy(term.buffer(), 0, chars, 0, term.length());
                if (seen.add(chars)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void reset() throws java.io.IOException {
            super.reset();
            seen.clear();
        }
    }

    /** Settings of `pattern_capture`: the regular expressions and whether to keep the token. */
    @AnalysisSettings
    public interface PatternCaptureSettings {
        @ListSetting(path = "patterns")
        List<String> patterns();

        @BooleanSetting(path = "preserve_original", defaultValue = true)
        boolean preserveOriginal();
    }

    /** Every capture group of every pattern as an extra token. */
    @NamedComponent("pattern_capture")
    public static class PatternCaptureFilterFactory implements TokenFilterFactory {
        private final Pattern[] patterns;
        private final boolean preserveOriginal;

        @Inject
        public PatternCaptureFilterFactory(PatternCaptureSettings settings) {
            this.patterns = settings.patterns().stream().map(Pattern::compile).toArray(Pattern[]::new);
            this.preserveOriginal = settings.preserveOriginal();
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new PatternCaptureGroupTokenFilter(tokenStream, preserveOriginal, patterns);
        }
    }
}
