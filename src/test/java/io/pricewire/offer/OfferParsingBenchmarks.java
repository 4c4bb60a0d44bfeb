package io.pricewire.offer;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Hot path of ingest: reading prices and whole offer items. Run: mvn -q test-compile exec:exec@jmh */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OfferParsingBenchmarks {

  private final String priceText = "1234.56 CAD";
  private final JsonObject priceObject = new JsonObject().put("amount", "228.00").put("currency", "CNY");
  private final String itemLine = new JsonObject().put("sku", "lobster-live-1lb").put("price", "42.00 CAD")
      .put("availability", "in_stock").put("quantity", 120)
      .put("title", new JsonObject().put("en", "Live Atlantic lobster, 1 lb").put("zh-CN", "加拿大鲜活龙虾 1磅"))
      .put("category", "Seafood > Shellfish").put("brand", "Atlantic Seafood Co.").encode();

  @Benchmark
  public Money priceFromText() throws Money.Invalid {
    return Money.parse(priceText);
  }

  @Benchmark
  public Money priceFromObject() throws Money.Invalid {
    return Money.fromJson(priceObject);
  }

  @Benchmark
  public ParsedItem ndjsonLine() {
    return OfferParser.fromJson(new JsonObject(itemLine), new HashSet<>());
  }
}
