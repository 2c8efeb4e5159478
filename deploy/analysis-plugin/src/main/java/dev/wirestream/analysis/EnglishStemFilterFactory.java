package dev.wirestream.analysis;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * English stemming for the standard tokenizer's output: "attacks", "attacked" and
 * "attacking" all become "attack", "villages" "villag" like "village", and "Syria's"
 * is "syria". The order is the one of Elasticsearch's own `english` analyzer
 * (possessive, lowercase, Porter), without its stop words, so phrases still match.
 */
@NamedComponent("wirestream_english_stem")
public class EnglishStemFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new PorterStemFilter(new LowerCaseFilter(new EnglishPossessiveFilter(tokenStream)));
    }

    /** Wildcard and prefix queries see lowercase terms but are not stemmed. */
    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        return new LowerCaseFilter(tokenStream);
    }
}
