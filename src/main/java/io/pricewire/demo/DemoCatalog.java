package io.pricewire.demo;

import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Money;
import io.pricewire.offer.OfferWrite;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small catalog of Canadian goods sold into China, with English and Chinese titles. */
public final class DemoCatalog {

  private DemoCatalog() {
  }

  /** The demo's supplier ids. */
  public static java.util.List<String> suppliers() {
    return ITEMS.stream().map(Item::supplier).distinct().toList();
  }

  /** @param taxClass the goods' class for the markets' import tax */
  record Item(String supplier, String sku, String price, String currency, long quantity, String en, String zh,
      String category, String brand, String gtin, String taxClass) {

    OfferWrite write() {
      try {
        Map<String, String> titles = new LinkedHashMap<>();
        titles.put("en", en);
        titles.put("zh-CN", zh);
        EnumSet<Field> fields = EnumSet.of(Field.PRICE, Field.AVAILABILITY, Field.QUANTITY, Field.TITLE,
            Field.CATEGORY, Field.BRAND, Field.TAX_CLASS);
        if (gtin != null) {
          fields.add(Field.GTIN);
        }
        return new OfferWrite(sku, fields, Money.of(price, currency), null, Availability.IN_STOCK, quantity,
            titles, category, brand, gtin, taxClass, null);
      } catch (Money.Invalid e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final List<Item> ITEMS = List.of(
      new Item("atlantic-seafood", "lobster-live-1lb", "42.00", "CAD", 120, "Live Atlantic lobster, 1 lb",
          "加拿大鲜活龙虾 1磅", "Seafood > Lobster", "Atlantic Seafood Co.", null, "agri_9"),
      new Item("atlantic-seafood", "snow-crab-clusters-2kg", "89.00", "CAD", 60, "Snow crab clusters, 2 kg",
          "加拿大雪蟹腿 2公斤", "Seafood > Crab", "Atlantic Seafood Co.", null, "agri_9"),
      new Item("atlantic-seafood", "scallops-u10-1kg", "64.50", "CAD", 45, "Digby scallops U10, 1 kg",
          "迪格比扇贝 U10 1公斤", "Seafood > Shellfish", "Atlantic Seafood Co.", null, "agri_9"),
      new Item("okanagan-orchards", "cherries-lapins-5kg", "78.00", "CAD", 200, "Lapins cherries, 5 kg box",
          "拉宾斯车厘子 5公斤礼盒", "Fruit > Cherries", "Okanagan Orchards", "0628915400014", "agri_9"),
      new Item("okanagan-orchards", "cherries-skeena-2kg", "39.00", "CAD", 150, "Skeena cherries, 2 kg box",
          "斯基娜车厘子 2公斤", "Fruit > Cherries", "Okanagan Orchards", null, "agri_9"),
      new Item("prairie-beef", "ribeye-aaa-1kg", "58.00", "CAD", 80, "AAA ribeye steak, 1 kg",
          "AAA级肉眼牛排 1公斤", "Meat > Beef", "Prairie Beef", null, "agri_9"),
      new Item("prairie-beef", "striploin-aaa-1kg", "52.00", "CAD", 90, "AAA striploin steak, 1 kg",
          "AAA级西冷牛排 1公斤", "Meat > Beef", "Prairie Beef", null, "agri_9"),
      new Item("laurentian-maple", "maple-syrup-amber-500ml", "18.99", "CAD", 500,
          "Pure maple syrup, amber, 500 ml", "纯枫糖浆 琥珀级 500毫升", "Pantry > Maple", "Laurentian Maple", null, "general"),
      new Item("niagara-icewine", "vidal-icewine-375ml", "59.95", "CAD", 70, "Vidal icewine 2023, 375 ml",
          "威代尔冰酒 2023 375毫升", "Wine > Icewine", "Niagara Estates", null, "wine"),
      new Item("pacific-apparel", "yoga-jacket-w-m", "688.00", "CNY", 40, "Women's yoga jacket, size M",
          "女士瑜伽夹克 M码", "Apparel > Activewear", "Pacific Apparel", null, "general"));
}
