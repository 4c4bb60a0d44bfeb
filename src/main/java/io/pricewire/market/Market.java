package io.pricewire.market;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A view of offers for one place: its currency and minor unit, the locales titles are taken in
 * (first that the offer has), and its tax regime.
 *
 * @param cbec true for China's cross-border e-commerce retail import tax; false for no tax
 * @param classes the tax classes an offer's {@code tax_class} may name, by id
 * @param categoryClasses category prefix to tax class id, for offers without {@code tax_class}
 *     (longest matching prefix wins)
 * @param defaultClass the class of offers neither names
 * @param itemLimit the most a single item's goods may cost (converted, before tax) within the
 *     CBEC limits; null when the market has none
 * @param goodsOrigin the country the goods come from, for duties by origin
 * @param fxMaxAge a rate older than this marks projections {@code fx_stale}
 */
public record Market(String id, String currency, int minorDigits, List<String> locales, boolean cbec,
    Map<String, TaxClass> classes, Map<String, String> categoryClasses, String defaultClass, List<Duty> duties,
    BigDecimal itemLimit, String goodsOrigin, Duration fxMaxAge) {

  public static final Duration DEFAULT_FX_MAX_AGE = Duration.ofDays(4);

  /** The built-in tax classes, with the statutory VAT and consumption tax rates. */
  public static final Map<String, TaxClass> CBEC_CLASSES = classes(TaxClass.GENERAL, TaxClass.AGRI_9, TaxClass.WINE,
      TaxClass.COSMETICS_HIGH);

  /** Canada: CAD, English, no tax; offers as suppliers wrote them. */
  public static final Market CA = new Market("ca", "CAD", 2, List.of("en"), false, Map.of(), Map.of(), null,
      List.of(), null, "CA", DEFAULT_FX_MAX_AGE);

  /** China cross-border e-commerce retail: CNY, zh-CN then zh then en, the CBEC import tax. */
  public static final Market CN_CBEC = new Market("cn-cbec", "CNY", 2, List.of("zh-CN", "zh", "en"), true,
      CBEC_CLASSES, defaultCategoryClasses(), "general", List.of(), new BigDecimal("5000"), "CA",
      DEFAULT_FX_MAX_AGE);

  public Market {
    locales = List.copyOf(locales);
    classes = Map.copyOf(classes);
    categoryClasses = Map.copyOf(categoryClasses);
    duties = List.copyOf(duties);
    if (cbec && (defaultClass == null || !classes.containsKey(defaultClass))) {
      throw new IllegalArgumentException("market " + id + ": default tax class " + defaultClass + " is not one of "
          + classes.keySet());
    }
    for (Map.Entry<String, String> e : categoryClasses.entrySet()) {
      if (!classes.containsKey(e.getValue())) {
        throw new IllegalArgumentException("market " + id + ": category \"" + e.getKey() + "\" maps to tax class "
            + e.getValue() + ", which is not one of " + classes.keySet());
      }
    }
  }

  /** The same market with other duties (from the rules file). */
  public Market withDuties(List<Duty> newDuties) {
    return new Market(id, currency, minorDigits, locales, cbec, classes, categoryClasses, defaultClass, newDuties,
        itemLimit, goodsOrigin, fxMaxAge);
  }

  /** Which tax class applies to an offer, and why. */
  public record ClassChoice(TaxClass taxClass, String from) {
  }

  /** The offer's own class if it names one this market has, else its category's, else the default. */
  public ClassChoice taxClassOf(String offerClass, String category) {
    if (offerClass != null && classes.containsKey(offerClass)) {
      return new ClassChoice(classes.get(offerClass), "offer");
    }
    if (category != null) {
      String best = null;
      for (String prefix : categoryClasses.keySet()) {
        if (Duty.matches(List.of(prefix), category) && (best == null || prefix.length() > best.length())) {
          best = prefix;
        }
      }
      if (best != null) {
        return new ClassChoice(classes.get(categoryClasses.get(best)), "category");
      }
    }
    return new ClassChoice(classes.get(defaultClass), "default");
  }

  /** The duties charged on goods of this category on this day (China's calendar). */
  public List<Duty> dutiesOn(String category, LocalDate day) {
    return duties.stream().filter(d -> d.applies(category, goodsOrigin, day)).toList();
  }

  private static Map<String, TaxClass> classes(TaxClass... list) {
    Map<String, TaxClass> map = new LinkedHashMap<>();
    for (TaxClass c : list) {
      map.put(c.id(), c);
    }
    return map;
  }

  /** Product types of the goods Pricewire's first users sell, mapped to their VAT classes. */
  private static Map<String, String> defaultCategoryClasses() {
    Map<String, String> map = new LinkedHashMap<>();
    // 9% VAT: agricultural and aquatic products.
    map.put("Seafood", "agri_9");
    map.put("Fruit", "agri_9");
    map.put("Meat", "agri_9");
    // Wine, including ice wine: 13% VAT and 10% consumption tax.
    map.put("Wine", "wine");
    map.put("Beverages > Wine", "wine");
    return map;
  }
}
