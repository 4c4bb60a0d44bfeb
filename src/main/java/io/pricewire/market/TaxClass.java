package io.pricewire.market;

import java.math.BigDecimal;

/**
 * A class of goods for China's cross-border e-commerce (CBEC) retail import tax: its VAT rate and
 * its consumption tax rate. Within the CBEC limits customs duty is 0 and VAT and consumption tax
 * are charged at 70% (Cai Guan Shui [2016] No. 18, [2018] No. 49); consumption tax is levied on a
 * price that includes it, so the comprehensive rate is (VAT + CT) / (1 - CT) x 70%.
 *
 * @param id as the offer field {@code tax_class} names it
 * @param vat VAT rate, e.g. 0.13
 * @param consumptionTax consumption tax rate, 0 for most goods
 */
public record TaxClass(String id, BigDecimal vat, BigDecimal consumptionTax) {

  /** The share of VAT and consumption tax charged on CBEC retail imports within the limits. */
  public static final Ratio CBEC_SHARE = Ratio.of(7, 10);

  public static final TaxClass GENERAL = new TaxClass("general", new BigDecimal("0.13"), BigDecimal.ZERO);
  public static final TaxClass AGRI_9 = new TaxClass("agri_9", new BigDecimal("0.09"), BigDecimal.ZERO);
  public static final TaxClass WINE = new TaxClass("wine", new BigDecimal("0.13"), new BigDecimal("0.10"));
  public static final TaxClass COSMETICS_HIGH =
      new TaxClass("cosmetics_high", new BigDecimal("0.13"), new BigDecimal("0.15"));

  public TaxClass {
    if (vat.signum() < 0 || consumptionTax.signum() < 0 || consumptionTax.compareTo(BigDecimal.ONE) >= 0) {
      throw new IllegalArgumentException("tax class " + id + ": rates must be at least 0 and consumption tax below 1");
    }
  }

  /** (VAT + CT) / (1 - CT) x 70%, exact: 0.091 for general goods, 0.063 for agri_9, 0.1788... for wine. */
  public Ratio cbecRate() {
    Ratio ct = Ratio.of(consumptionTax);
    return Ratio.of(vat).plus(ct).dividedBy(Ratio.ONE.minus(ct)).times(CBEC_SHARE);
  }

  /** The rule id an answer names when this class's CBEC rate applied. */
  public String cbecRuleId() {
    return "cbec-" + id;
  }
}
