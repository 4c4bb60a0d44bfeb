package io.pricewire.demo;

import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Money;
import io.pricewire.offer.OfferWrite;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small catalog of Canadian goods sold into China, with English and Chinese titles; and a
 * larger one of one marketplace supplier, made from product lines and sizes, for listing pages
 * that follow only the offers on screen.
 */
public final class DemoCatalog {

  /** The supplier of the larger catalog. */
  public static final String MARKETPLACE = "maple-marketplace";

  private DemoCatalog() {
  }

  /** The suppliers of the small catalog. */
  public static List<String> suppliers() {
    return ITEMS.stream().map(Item::supplier).distinct().toList();
  }

  /** Every demo supplier: those of the small catalog and the marketplace. */
  public static List<String> allSuppliers() {
    List<String> all = new java.util.ArrayList<>(suppliers());
    all.add(MARKETPLACE);
    return all;
  }

  /**
   * The first {@code size} offers of the marketplace: every product line in every pack size, then
   * again by lot number, so that any size gives distinct skus with sensible titles and prices.
   */
  public static List<Item> marketplace(int size) {
    List<Item> items = new java.util.ArrayList<>(size);
    for (int i = 0; items.size() < size; i++) {
      Line line = LINES.get(i % LINES.size());
      int pack = (i / LINES.size()) % PACKS.length;
      int lot = i / (LINES.size() * PACKS.length);
      int units = PACKS[pack];
      String sku = line.sku() + "-x" + units + (lot == 0 ? "" : "-lot" + (lot + 1));
      long cents = Math.round(line.unitCents() * units * (1 - 0.04 * pack) + 7 * (lot % 5));
      String price = (cents / 100) + "." + String.format("%02d", cents % 100);
      String lotEn = lot == 0 ? "" : ", lot " + (lot + 1);
      String lotZh = lot == 0 ? "" : " 第" + (lot + 1) + "批";
      items.add(new Item(MARKETPLACE, sku, price, "CAD", 20 + (i * 37L) % 180,
          line.en() + (units == 1 ? "" : ", pack of " + units) + lotEn,
          line.zh() + (units == 1 ? "" : " " + units + "件装") + lotZh,
          line.category(), "Maple Marketplace", null, line.taxClass()));
    }
    return items;
  }

  /** A product line of the marketplace: a unit price, titles, a category and a tax class. */
  private record Line(String sku, long unitCents, String en, String zh, String category, String taxClass) {
  }

  private static final int[] PACKS = {1, 2, 4, 6, 12};

  private static final List<Line> LINES = List.of(
      new Line("maple-syrup-dark-1l", 2899, "Maple syrup, dark robust, 1 l", "深色浓郁枫糖浆 1升", "Pantry > Maple", "general"),
      new Line("maple-butter-250g", 1249, "Maple butter, 250 g", "枫糖黄油 250克", "Pantry > Maple", "general"),
      new Line("maple-candy-leaf-100g", 899, "Maple sugar leaves, 100 g", "枫叶糖 100克", "Pantry > Maple", "general"),
      new Line("ice-cider-375ml", 2995, "Ice cider, 375 ml", "冰苹果酒 375毫升", "Wine > Cider", "wine"),
      new Line("icewine-riesling-200ml", 3995, "Riesling icewine, 200 ml", "雷司令冰酒 200毫升", "Wine > Icewine", "wine"),
      new Line("lobster-frozen-tails-4oz", 1899, "Frozen lobster tails, 4 oz", "冷冻龙虾尾 4盎司", "Seafood > Lobster", "agri_9"),
      new Line("smoked-salmon-200g", 1599, "Smoked sockeye salmon, 200 g", "烟熏红鲑鱼 200克", "Seafood > Salmon", "agri_9"),
      new Line("sea-cucumber-dried-100g", 8900, "Dried Atlantic sea cucumber, 100 g", "大西洋干海参 100克",
          "Seafood > Sea cucumber", "agri_9"),
      new Line("wild-blueberries-dried-250g", 1099, "Dried wild blueberries, 250 g", "野生蓝莓干 250克",
          "Fruit > Berries", "agri_9"),
      new Line("cranberries-dried-300g", 799, "Dried cranberries, 300 g", "蔓越莓干 300克", "Fruit > Berries", "agri_9"),
      new Line("honey-clover-500g", 1399, "Clover honey, 500 g", "三叶草蜂蜜 500克", "Pantry > Honey", "agri_9"),
      new Line("ginseng-wisconsin-50g", 6800, "North American ginseng, 50 g", "北美花旗参 50克", "Health > Ginseng",
          "general"),
      new Line("omega3-fish-oil-180", 3499, "Omega-3 fish oil, 180 capsules", "深海鱼油 180粒", "Health > Supplements",
          "general"),
      new Line("pork-tenderloin-1kg", 1899, "Pork tenderloin, 1 kg", "猪里脊 1公斤", "Meat > Pork", "agri_9"),
      new Line("beef-jerky-maple-100g", 999, "Maple beef jerky, 100 g", "枫糖牛肉干 100克", "Meat > Beef", "agri_9"),
      new Line("wool-socks-merino", 2400, "Merino wool socks", "美利奴羊毛袜", "Apparel > Socks", "general"),
      new Line("toque-knit-red", 3200, "Knit toque, red", "红色针织帽", "Apparel > Hats", "general"),
      new Line("baby-formula-stage1-900g", 4599, "Infant formula stage 1, 900 g", "婴儿配方奶粉 1段 900克",
          "Baby > Formula", "general"),
      new Line("oats-steel-cut-1kg", 699, "Steel-cut oats, 1 kg", "钢切燕麦 1公斤", "Pantry > Grains", "agri_9"),
      new Line("canola-oil-cold-pressed-1l", 1199, "Cold-pressed canola oil, 1 l", "冷榨菜籽油 1升", "Pantry > Oils",
          "agri_9"));

  /** @param taxClass the goods' class for the markets' import tax */
  public record Item(String supplier, String sku, String price, String currency, long quantity, String en, String zh,
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
