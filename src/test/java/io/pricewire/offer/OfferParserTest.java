package io.pricewire.offer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OfferParserTest {

  private static ParsedItem parse(String json) {
    return OfferParser.fromJson(new JsonObject(json), new HashSet<>());
  }

  @Test
  @DisplayName("a full offer with both price forms and localized titles is read")
  void fullOffer() {
    ParsedItem p = parse("""
        {"sku": "lobster-1", "price": "42.00 CAD", "sale_price": {"amount": "39.50", "currency": "CAD"},
         "availability": "in_stock", "quantity": 12, "title": {"en": "Live lobster", "zh-cn": "活龙虾"},
         "category": "Seafood", "brand": "Atlantic", "gtin": "4006381333931", "tax_class": "agri_9", "version": 7}""");
    assertThat(p.errors()).isEmpty();
    OfferWrite w = p.write();
    assertThat(w.sku()).isEqualTo("lobster-1");
    assertThat(w.price()).isEqualTo(new Money(42_000_000, "CAD"));
    assertThat(w.salePrice()).isEqualTo(new Money(39_500_000, "CAD"));
    assertThat(w.availability()).isEqualTo(Availability.IN_STOCK);
    assertThat(w.quantity()).isEqualTo(12L);
    assertThat(w.titles()).containsEntry("en", "Live lobster").containsEntry("zh-CN", "活龙虾");
    assertThat(w.version()).isEqualTo(7L);
    assertThat(w.fields()).containsExactlyInAnyOrder(Field.values());
  }

  @Test
  @DisplayName("a partial write names only the fields it carries, and null clears an optional field")
  void partial() {
    OfferWrite w = parse("{\"sku\": \"a\", \"quantity\": 0, \"sale_price\": null}").write();
    assertThat(w.fields()).containsExactlyInAnyOrder(Field.QUANTITY, Field.SALE_PRICE);
    assertThat(w.salePrice()).isNull();
  }

  @Test
  @DisplayName("updated_at becomes a version in microseconds since the epoch")
  void updatedAt() {
    OfferWrite w = parse("{\"sku\": \"a\", \"quantity\": 1, \"updated_at\": \"2026-11-29T08:00:00.000001+08:00\"}")
        .write();
    assertThat(w.version()).isEqualTo(1_795_910_400_000_001L);
  }

  @Test
  @DisplayName("every bad field of an item is reported with its name and code")
  void errorsNameFields() {
    ParsedItem p = parse("""
        {"sku": "", "price": 12.5, "availability": "sold", "quantity": -1, "gtin": "4006381333932",
         "title": {"not a locale!": "x"}, "version": "7"}""");
    assertThat(p.accepted()).isFalse();
    assertThat(p.errors()).extracting(FieldError::field, FieldError::code).contains(
        org.assertj.core.groups.Tuple.tuple("sku", "required"),
        org.assertj.core.groups.Tuple.tuple("price", "wrong_type"),
        org.assertj.core.groups.Tuple.tuple("availability", "invalid_value"),
        org.assertj.core.groups.Tuple.tuple("quantity", "negative"),
        org.assertj.core.groups.Tuple.tuple("gtin", "invalid_gtin"),
        org.assertj.core.groups.Tuple.tuple("title", "invalid_locale"),
        org.assertj.core.groups.Tuple.tuple("version", "wrong_type"));
  }

  @Test
  @DisplayName("a sku over 50 characters is refused, and \"id\" gets a hint")
  void skuRules() {
    assertThat(parse("{\"sku\": \"" + "x".repeat(51) + "\", \"quantity\": 1}").errors())
        .extracting(FieldError::code).containsExactly("too_long");
    assertThat(parse("{\"id\": \"abc\", \"quantity\": 1}").errors().get(0).message()).contains("use \"sku\"");
  }

  @Test
  @DisplayName("unknown members are collected for a warning, not refused")
  void unknownMembers() {
    Set<String> unknown = new HashSet<>();
    ParsedItem p = OfferParser.fromJson(new JsonObject("{\"sku\": \"a\", \"quantity\": 1, \"link\": \"x\"}"), unknown);
    assertThat(p.accepted()).isTrue();
    assertThat(unknown).containsExactly("link");
  }

  @Test
  @DisplayName("an item that changes nothing is refused")
  void noFields() {
    assertThat(parse("{\"sku\": \"a\", \"version\": 3}").errors()).extracting(FieldError::code)
        .containsExactly("no_fields");
  }

  @Test
  @DisplayName("a feed row maps id to sku, product_type to category, and the old availability spelling")
  void feedRow() {
    ParsedItem p = OfferParser.fromRow(Map.of("id", "c-5kg", "price", "78.00 CAD", "availability", "in stock",
        "product_type", "Fruit > Cherries", "title", "Lapins cherries", "quantity", "5"));
    assertThat(p.errors()).isEmpty();
    assertThat(p.write().sku()).isEqualTo("c-5kg");
    assertThat(p.write().category()).isEqualTo("Fruit > Cherries");
    assertThat(p.write().availability()).isEqualTo(Availability.IN_STOCK);
    assertThat(p.write().titles()).containsEntry("en", "Lapins cherries");
    assertThat(OfferParser.fromRow(Map.of("id", "x", "quantity", "many")).errors())
        .extracting(FieldError::field).containsExactly("quantity");
  }

  @Test
  @DisplayName("tax_class: one of the markets' classes, null clears it, anything else is a field error")
  void taxClass() {
    OfferWrite w = parse("{\"sku\": \"a\", \"tax_class\": \"wine\"}").write();
    assertThat(w.fields()).containsExactly(Field.TAX_CLASS);
    assertThat(w.taxClass()).isEqualTo("wine");
    OfferWrite cleared = parse("{\"sku\": \"a\", \"tax_class\": null}").write();
    assertThat(cleared.fields()).containsExactly(Field.TAX_CLASS);
    assertThat(cleared.taxClass()).isNull();
    assertThat(parse("{\"sku\": \"a\", \"tax_class\": \"food\"}").errors())
        .extracting(FieldError::field, FieldError::code).containsExactly(tuple("tax_class", "unknown_tax_class"));
    assertThat(parse("{\"sku\": \"a\", \"tax_class\": \"food\"}").errors().get(0).message())
        .contains("agri_9").contains("\"food\"");
    assertThat(parse("{\"sku\": \"a\", \"tax_class\": 9}").errors())
        .extracting(FieldError::code).containsExactly("wrong_type");
    ParsedItem row = OfferParser.fromRow(Map.of("id", "ice", "price", "59.95 CAD", "tax_class", "wine"));
    assertThat(row.write().taxClass()).isEqualTo("wine");
  }
}
