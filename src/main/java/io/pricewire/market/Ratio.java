package io.pricewire.market;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * An exact non-negative rational number, for exchange rates, tax rates and the amounts computed
 * from them. A rate such as the inverse of the Bank of Canada's 0.1944 CAD per CNY, or a
 * comprehensive tax rate such as 0.23 / 0.9 x 0.7, has no finite decimal form: kept as a ratio,
 * a price converted and taxed is exact until it is rounded, once, to the market currency's minor
 * unit. Always in lowest terms, with a positive denominator.
 */
public record Ratio(BigInteger numerator, BigInteger denominator) implements Comparable<Ratio> {

  public static final Ratio ZERO = new Ratio(BigInteger.ZERO, BigInteger.ONE);
  public static final Ratio ONE = new Ratio(BigInteger.ONE, BigInteger.ONE);

  public Ratio {
    if (denominator.signum() == 0) {
      throw new ArithmeticException("a ratio with denominator 0");
    }
    if (denominator.signum() < 0) {
      numerator = numerator.negate();
      denominator = denominator.negate();
    }
    BigInteger gcd = numerator.gcd(denominator);
    if (!gcd.equals(BigInteger.ONE) && gcd.signum() != 0) {
      numerator = numerator.divide(gcd);
      denominator = denominator.divide(gcd);
    }
  }

  public static Ratio of(BigDecimal value) {
    if (value.scale() <= 0) {
      return new Ratio(value.toBigIntegerExact(), BigInteger.ONE);
    }
    return new Ratio(value.unscaledValue(), BigInteger.TEN.pow(value.scale()));
  }

  /** Reads a plain decimal such as {@code "5.1432"}; throws NumberFormatException otherwise. */
  public static Ratio parse(String decimal) {
    return of(new BigDecimal(decimal));
  }

  public static Ratio of(long numerator, long denominator) {
    return new Ratio(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
  }

  public Ratio times(Ratio o) {
    return new Ratio(numerator.multiply(o.numerator), denominator.multiply(o.denominator));
  }

  public Ratio plus(Ratio o) {
    return new Ratio(numerator.multiply(o.denominator).add(o.numerator.multiply(denominator)),
        denominator.multiply(o.denominator));
  }

  public Ratio minus(Ratio o) {
    return plus(new Ratio(o.numerator.negate(), o.denominator));
  }

  public Ratio dividedBy(Ratio o) {
    if (o.numerator.signum() == 0) {
      throw new ArithmeticException("division by zero");
    }
    return new Ratio(numerator.multiply(o.denominator), denominator.multiply(o.numerator));
  }

  public Ratio inverse() {
    return ONE.dividedBy(this);
  }

  public int signum() {
    return numerator.signum();
  }

  /** The value rounded half up (away from zero at exactly half) to {@code scale} decimal places. */
  public BigDecimal round(int scale) {
    return new BigDecimal(numerator).divide(new BigDecimal(denominator), scale, RoundingMode.HALF_UP);
  }

  /** The exact decimal value, if it has one (the denominator has no prime factors but 2 and 5). */
  public BigDecimal exactDecimal() {
    return new BigDecimal(numerator).divide(new BigDecimal(denominator));
  }

  @Override
  public int compareTo(Ratio o) {
    return numerator.multiply(o.denominator).compareTo(o.numerator.multiply(denominator));
  }

  @Override
  public String toString() {
    return numerator + "/" + denominator;
  }
}
