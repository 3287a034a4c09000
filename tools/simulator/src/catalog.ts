// Built-in catalogue of a small web shop: pages with buttons, products, payment methods,
// referrers, campaigns, and the user agents of real browsers and bots.

export const DEFAULT_PAGES = [
  { path: '/', title: 'Home', weight: 30, buttons: [{ id: 'hero-cta', probability: 0.18 }, { id: 'nav-products', probability: 0.12 }, { id: 'newsletter-signup', probability: 0.03 }] },
  { path: '/products', title: 'All products', weight: 22, buttons: [{ id: 'filter-category', probability: 0.2 }, { id: 'sort-price', probability: 0.08 }, { id: 'add-to-cart', probability: 0.1 }] },
  { path: '/products/laptops', title: 'Laptops', weight: 9, buttons: [{ id: 'add-to-cart', probability: 0.14 }, { id: 'compare', probability: 0.05 }] },
  { path: '/products/phones', title: 'Phones', weight: 9, buttons: [{ id: 'add-to-cart', probability: 0.15 }, { id: 'compare', probability: 0.06 }] },
  { path: '/products/accessories', title: 'Accessories', weight: 7, buttons: [{ id: 'add-to-cart', probability: 0.2 }] },
  { path: '/search', title: 'Search', weight: 6, buttons: [{ id: 'search-submit', probability: 0.6 }] },
  { path: '/cart', title: 'Cart', weight: 5, buttons: [{ id: 'checkout', probability: 0.35 }, { id: 'remove-item', probability: 0.06 }] },
  { path: '/blog', title: 'Blog', weight: 5, buttons: [{ id: 'read-more', probability: 0.25 }, { id: 'share', probability: 0.04 }] },
  { path: '/about', title: 'About us', weight: 3, buttons: [{ id: 'contact-us', probability: 0.07 }] },
  { path: '/pricing', title: 'Pricing', weight: 3, buttons: [{ id: 'choose-plan', probability: 0.12 }] },
  { path: '/login', title: 'Sign in', weight: 1, buttons: [{ id: 'login-submit', probability: 0.7 }] },
];

export const DEFAULT_PRODUCTS = [
  { id: 'p-1001', name: 'UltraBook 14', category: 'laptops', price: 1199 },
  { id: 'p-1002', name: 'WorkStation 16', category: 'laptops', price: 2149.5 },
  { id: 'p-1003', name: 'AirLite 13', category: 'laptops', price: 899.99 },
  { id: 'p-2001', name: 'Pixel Phone 9', category: 'phones', price: 799 },
  { id: 'p-2002', name: 'Galaxy S One', category: 'phones', price: 949.99 },
  { id: 'p-2003', name: 'Budget Phone A5', category: 'phones', price: 199.9 },
  { id: 'p-3001', name: 'USB-C Charger 65W', category: 'accessories', price: 39.99 },
  { id: 'p-3002', name: 'Noise-cancelling Headphones', category: 'accessories', price: 249 },
  { id: 'p-3003', name: 'Laptop Sleeve', category: 'accessories', price: 24.5 },
  { id: 'p-3004', name: 'Wireless Mouse', category: 'accessories', price: 29.99 },
];

export const DEFAULT_PAYMENT_METHODS = [
  { name: 'credit_card', weight: 50 },
  { name: 'paypal', weight: 22 },
  { name: 'apple_pay', weight: 12 },
  { name: 'google_pay', weight: 9 },
  { name: 'bank_transfer', weight: 7 },
];

export const DEFAULT_REFERRERS: Array<{ url: string | null; weight: number }> = [
  { url: null, weight: 35 },
  { url: 'https://www.google.com/', weight: 35 },
  { url: 'https://www.bing.com/', weight: 5 },
  { url: 'https://duckduckgo.com/', weight: 3 },
  { url: 'https://www.facebook.com/', weight: 8 },
  { url: 'https://t.co/', weight: 5 },
  { url: 'https://www.reddit.com/r/gadgets/', weight: 4 },
  { url: 'https://news.ycombinator.com/', weight: 2 },
  { url: 'https://www.linkedin.com/', weight: 3 },
];

export const DEFAULT_CAMPAIGNS = [
  { source: 'newsletter', medium: 'email', campaign: 'spring_sale', content: 'header_banner', weight: 30 },
  { source: 'google', medium: 'cpc', campaign: 'brand_search', term: 'shop laptops', weight: 35 },
  { source: 'facebook', medium: 'social', campaign: 'phones_launch', content: 'video_ad', weight: 20 },
  { source: 'partner_blog', medium: 'referral', campaign: 'affiliate_q1', weight: 15 },
];

export type DeviceType = 'desktop' | 'mobile' | 'tablet';

/** Human browsers: [user agent, weight] per device type. */
export const USER_AGENTS: Record<DeviceType, ReadonlyArray<readonly [string, number]>> = {
  desktop: [
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 40],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80', 12],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0', 8],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15', 18],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 12],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 5],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 5],
  ],
  mobile: [
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1', 45],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36', 30],
    ['Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36', 15],
    ['Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0', 5],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1', 5],
  ],
  tablet: [
    ['Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1', 60],
    ['Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Safari/537.36', 30],
    ['Mozilla/5.0 (Linux; Android 12; Lenovo TB-J616F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36', 10],
  ],
};

export const BOT_USER_AGENTS: ReadonlyArray<readonly [string, number]> = [
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 35],
  ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 20],
  ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 15],
  ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', 10],
  ['python-requests/2.31.0', 10],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36', 10],
];
